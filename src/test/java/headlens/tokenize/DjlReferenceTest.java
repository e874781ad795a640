package headlens.tokenize;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Parity with HuggingFace's Rust tokenizers (through DJL's binding, in the same JVM), raw text and pre-split words: ids,
 * tokens, offsets and word ids. Covers what the golden files do not: word ids, pre-split input, MiniLM (uncased, accents
 * stripped), and the XLM-R layout built from a SentencePiece model. The default suite takes the committed 689-line sample
 * (xSID and UD text); {@link DjlReferenceFullTest} (tag "slow") takes all 14,250 xSID test utterances of ../shared.
 */
class DjlReferenceTest {
    List<Corpus.Utterance> corpus() throws IOException { return Corpus.sample(); }

    List<Corpus.Utterance> corpus;
    static Path tmp;

    @BeforeAll
    static void setUp() throws IOException {
        tmp = Files.createTempDirectory("headlens-tok");
    }

    @BeforeEach
    void load() throws IOException {
        corpus = corpus();
    }

    @AfterAll
    static void tearDown() throws IOException {
        if (tmp != null) try (var s = Files.walk(tmp)) { s.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete()); }
    }

    static HuggingFaceTokenizer djl(Path json) throws IOException {
        return HuggingFaceTokenizer.newInstance(json, Map.of("addSpecialTokens", "true", "truncation", "false", "padding", "false"));
    }

    @Test
    @Tag("slow")
    void mbertTokenizerJson() throws IOException {
        Path p = Golden.assets().resolve("bert-base-multilingual-cased/tokenizer.json");
        compare(Tokenizers.load(p), djl(p), "mbert");
    }

    @Test
    void miniLmFromClasspath() throws IOException {
        Path p = tmp.resolve("minilm.json");
        try (InputStream in = getClass().getResourceAsStream("/all-minilm-l6-v2-tokenizer.json")) {
            Files.write(p, in.readAllBytes());
        }
        PipelineTokenizer ours;
        try (InputStream in = getClass().getResourceAsStream("/all-minilm-l6-v2-tokenizer.json")) {
            ours = Tokenizers.fromJson(in, "all-minilm-l6-v2-tokenizer.json");
        }
        assertEquals(30522, ours.vocabSize());
        compare(ours, djl(p), "minilm");
    }

    @Test
    void xlmRobertaLayoutFromSentencePieceModels() throws IOException {
        for (String name : List.of("transformers_fixture_spiece", "sentencepiece_test_model", "sentencepiece_test_ja_model")) {
            Path model = Golden.fixture(name + ".model");
            byte[] data = Files.readAllBytes(model);
            Path json = tmp.resolve(name + ".json");
            Files.writeString(json, TokenizerRecipes.xlmRoberta(SentencePieceModel.parse(data, name), name).toString(), StandardCharsets.UTF_8);
            HuggingFaceTokenizer ref = djl(json);
            compare(Tokenizers.load(json), ref, name + " tokenizer.json");
            compare(Tokenizers.fromSentencePiece(data, name, Tokenizers.XLM_ROBERTA), ref, name + " .model as xlm-roberta");
        }
    }

    void compare(Tokenizer ours, HuggingFaceTokenizer ref, String what) {
        int same = 0, sameWords = 0, total = 0;
        List<String> diffs = new ArrayList<>();
        for (int i = 0; i < corpus.size(); i++) {
            Corpus.Utterance u = corpus.get(i);
            total++;
            if (equal(ours.encode(u.text()), ref.encode(u.text()), diffs, u.text())) same++;
            if (equal(ours.encodeWords(u.words()), ref.encode(u.words().toArray(String[]::new), true, false), diffs, u.words().toString()))
                sameWords++;
        }
        System.out.printf("%s vs HF (DJL): text %d / %d, words %d / %d identical%n", what, same, total, sameWords, total);
        assertEquals(2 * total, same + sameWords, what + ": first differences:\n" + String.join("\n", diffs));
    }

    static boolean equal(Encoding e, ai.djl.huggingface.tokenizers.Encoding r, List<String> diffs, String input) {
        long[] rid = r.getIds();
        int[] ids = Arrays.stream(rid).mapToInt(x -> (int) x).toArray();
        long[] rw = r.getWordIds();
        int[] words = Arrays.stream(rw).mapToInt(x -> (int) x).toArray();
        CharSpan[] spans = r.getCharTokenSpans();
        int[][] offs = new int[spans.length][];
        for (int i = 0; i < spans.length; i++) offs[i] = spans[i] == null ? new int[] {0, 0} : new int[] {spans[i].getStart(), spans[i].getEnd()};
        boolean ok = Arrays.equals(e.ids(), ids) && Arrays.equals(e.tokens(), r.getTokens()) && Arrays.equals(e.wordIds(), words)
                && Arrays.deepEquals(e.offsets(), offs);
        if (!ok && diffs.size() < 6)
            diffs.add(input + "\n  ours " + Arrays.toString(e.ids()) + Arrays.toString(e.tokens()) + Arrays.deepToString(e.offsets())
                    + Arrays.toString(e.wordIds()) + "\n  ref  " + Arrays.toString(ids) + Arrays.toString(r.getTokens())
                    + Arrays.deepToString(offs) + Arrays.toString(words));
        return ok;
    }
}
