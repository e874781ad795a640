package headlens.tokenize;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Parity, id for id, with the golden references in ../shared/assets/golden (14,250 xSID test utterances in 19 languages):
 * HuggingFace tokenizers (Rust core) for mBERT, Google's sentencepiece (C++) for the three SentencePiece fixture models.
 */
class GoldenParityTest {

    @Test
    void mbertTokenizerJson() throws IOException {
        Tokenizer t = Tokenizers.load(Golden.assets().resolve("bert-base-multilingual-cased/tokenizer.json"));
        check(t, "mbert.xsid-test.jsonl.gz", true, false);
    }

    @Test
    void mbertFromVocabTxtAlone() throws IOException {
        Tokenizer t = Tokenizers.fromVocabTxt(Golden.assets().resolve("bert-base-multilingual-cased/vocab.txt"));
        check(t, "mbert.xsid-test.jsonl.gz", true, false);
    }

    @Test
    void sentencepieceEnglishTestModel() throws IOException {
        checkSpm("sentencepiece_test_model");
    }

    @Test
    void sentencepieceJapaneseTestModel() throws IOException {
        checkSpm("sentencepiece_test_ja_model");
    }

    @Test
    void sentencepieceTransformersFixture() throws IOException {
        checkSpm("transformers_fixture_spiece");
    }

    private static void checkSpm(String name) throws IOException {
        Tokenizer t = Tokenizers.load(Golden.assets().resolve("sentencepiece-fixtures/" + name + ".model"));
        check(t, name + ".xsid-test.jsonl.gz", false, true);
    }

    static void check(Tokenizer t, String golden, boolean offsets, boolean pieces) throws IOException {
        List<Golden.Line> lines = Golden.read(golden);
        List<String> diffs = new ArrayList<>();
        int same = 0;
        for (Golden.Line l : lines) {
            Encoding e = t.encode(l.text());
            boolean ok = Arrays.equals(e.ids(), l.ids()) && Arrays.equals(e.tokens(), l.tokens())
                    && (!offsets || Arrays.deepEquals(e.offsets(), l.offsets()));
            if (ok) same++;
            else if (diffs.size() < 5) diffs.add(l.lang() + "#" + l.n() + " \"" + l.text() + "\"\n  ours " + Arrays.toString(e.ids())
                    + " " + Arrays.toString(e.tokens()) + (offsets ? " " + Arrays.deepToString(e.offsets()) : "")
                    + "\n  ref  " + Arrays.toString(l.ids()) + " " + Arrays.toString(l.tokens())
                    + (offsets ? " " + Arrays.deepToString(l.offsets()) : ""));
        }
        System.out.printf("%s: %d / %d identical%n", golden, same, lines.size());
        assertEquals(lines.size(), same, golden + ": " + (lines.size() - same) + " differ, first:\n" + String.join("\n", diffs));
    }
}
