package headlens.tokenize;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Parity, id for id, with golden references: HuggingFace tokenizers (Rust core) for mBERT, Google's sentencepiece (C++
 * 0.1.97) for the three SentencePiece fixture models. The default suite checks the committed 689-line sample (xSID and UD
 * text, tokenizer files committed beside it); the tests tagged "slow" check all 14,250 xSID test utterances of
 * ../shared/assets/golden and mBERT's tokenizer.json (not committed).
 */
class GoldenParityTest {

    @Test
    void sampleMbertFromVocabTxt() throws IOException {
        check(Tokenizers.fromVocabTxt(Golden.fixture("bert-base-multilingual-cased-vocab.txt")), Golden.sample("mbert"), "mbert sample", true, false);
    }

    @Test
    void sampleSentencepieceEnglishTestModel() throws IOException {
        checkSpmSample("sentencepiece_test_model");
    }

    @Test
    void sampleSentencepieceJapaneseTestModel() throws IOException {
        checkSpmSample("sentencepiece_test_ja_model");
    }

    @Test
    void sampleSentencepieceTransformersFixture() throws IOException {
        checkSpmSample("transformers_fixture_spiece");
    }

    private static void checkSpmSample(String name) throws IOException {
        Tokenizer t = Tokenizers.load(Golden.fixture(name + ".model"));
        check(t, Golden.sample(name), name + " sample", false, true);
    }

    @Test
    @Tag("slow")
    void mbertTokenizerJson() throws IOException {
        Tokenizer t = Tokenizers.load(Golden.assets().resolve("bert-base-multilingual-cased/tokenizer.json"));
        check(t, "mbert.xsid-test.jsonl.gz", true, false);
    }

    @Test
    @Tag("slow")
    void mbertFromVocabTxtAlone() throws IOException {
        Tokenizer t = Tokenizers.fromVocabTxt(Golden.assets().resolve("bert-base-multilingual-cased/vocab.txt"));
        check(t, "mbert.xsid-test.jsonl.gz", true, false);
    }

    @Test
    @Tag("slow")
    void sentencepieceEnglishTestModel() throws IOException {
        checkSpm("sentencepiece_test_model");
    }

    @Test
    @Tag("slow")
    void sentencepieceJapaneseTestModel() throws IOException {
        checkSpm("sentencepiece_test_ja_model");
    }

    @Test
    @Tag("slow")
    void sentencepieceTransformersFixture() throws IOException {
        checkSpm("transformers_fixture_spiece");
    }

    private static void checkSpm(String name) throws IOException {
        Tokenizer t = Tokenizers.load(Golden.assets().resolve("sentencepiece-fixtures/" + name + ".model"));
        check(t, name + ".xsid-test.jsonl.gz", false, true);
    }

    static void check(Tokenizer t, String golden, boolean offsets, boolean pieces) throws IOException {
        check(t, Golden.read(golden), golden, offsets, pieces);
    }

    static void check(Tokenizer t, List<Golden.Line> lines, String golden, boolean offsets, boolean pieces) {
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
