package headlens.tokenize;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Malformed or unsupported tokenizer files fail with one clear message naming the file and the field. */
class BadTokenizerFilesTest {
    @TempDir Path dir;

    static final String WORDPIECE_MODEL = "{\"type\":\"WordPiece\",\"unk_token\":\"[UNK]\",\"continuing_subword_prefix\":\"##\","
            + "\"max_input_chars_per_word\":100,\"vocab\":{\"[UNK]\":0,\"a\":1,\"##b\":2}}";

    private String fails(String fileName, String content, String... expected) throws IOException {
        Path p = dir.resolve(fileName);
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return failsOn(p, expected);
    }

    private String failsOn(Path p, String... expected) {
        TokenizerException e = assertThrows(TokenizerException.class, () -> Tokenizers.load(p));
        assertTrue(e.getMessage().contains(p.toString()), "names the file: " + e.getMessage());
        for (String x : expected) assertTrue(e.getMessage().contains(x), "mentions " + x + ": " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void minimalWordPieceJsonLoads() throws IOException {
        Path p = dir.resolve("ok.json");
        Files.writeString(p, "{\"pre_tokenizer\":{\"type\":\"WhitespaceSplit\"},\"model\":" + WORDPIECE_MODEL + "}");
        Encoding e = Tokenizers.load(p).encode("ab a c");
        assertTrue(Arrays.equals(new int[] {1, 2, 1, 0}, e.ids()), Arrays.toString(e.ids()));
    }

    @Test
    void malformedJson() throws IOException {
        fails("tokenizer.json", "{\"model\": {\"type\": \"WordPiece\", ", "not valid JSON");
        fails("t2.json", "[1,2]", "top level");
        fails("t3.json", "{\"version\":\"1.0\"}", "\"model\"");
    }

    @Test
    void unknownComponentTypes() throws IOException {
        fails("n.json", "{\"normalizer\":{\"type\":\"Fancy\"},\"model\":" + WORDPIECE_MODEL + "}", "normalizer.type", "Fancy");
        fails("n2.json", "{\"normalizer\":{\"type\":\"Sequence\",\"normalizers\":[{\"type\":\"NFKC\"},{\"type\":\"Nope\"}]},\"model\":"
                + WORDPIECE_MODEL + "}", "normalizer.normalizers[1].type", "Nope");
        fails("p.json", "{\"pre_tokenizer\":{\"type\":\"ByteLevel\"},\"model\":" + WORDPIECE_MODEL + "}", "pre_tokenizer.type", "ByteLevel");
        fails("m.json", "{\"model\":{\"type\":\"BPE\",\"vocab\":{},\"merges\":[]}}", "model.type", "BPE");
        fails("pp.json", "{\"post_processor\":{\"type\":\"ByteLevel\"},\"model\":" + WORDPIECE_MODEL + "}", "post_processor.type");
        fails("pp2.json", "{\"post_processor\":{\"type\":\"TemplateProcessing\",\"single\":[{\"SpecialToken\":{\"id\":\"[X]\"}},"
                + "{\"Sequence\":{\"id\":\"A\"}}],\"special_tokens\":{}},\"model\":" + WORDPIECE_MODEL + "}", "[X]", "special_tokens");
    }

    @Test
    void vocabWithoutUnknownToken() throws IOException {
        fails("wp.json", "{\"model\":{\"type\":\"WordPiece\",\"unk_token\":\"[UNK]\",\"vocab\":{\"a\":0,\"##b\":1}}}", "unk_token", "[UNK]");
        fails("ug.json", "{\"model\":{\"type\":\"Unigram\",\"vocab\":[[\"a\",-1.0]]}}", "model.unk_id");
        fails("ug2.json", "{\"model\":{\"type\":\"Unigram\",\"unk_id\":0,\"vocab\":[[\"a\"]]}}", "model.vocab[0]");
        Path sub = Files.createDirectories(dir.resolve("legacy"));
        Files.writeString(sub.resolve("vocab.txt"), "[PAD]\n[CLS]\n[SEP]\nhello\n");
        failsOn(sub.resolve("vocab.txt"), "unknown token", "[UNK]");
        TokenizerException e = assertThrows(TokenizerException.class, () -> Tokenizers.load(sub));
        assertTrue(e.getMessage().contains("vocab.txt"), e.getMessage());
    }

    @Test
    void malformedSentencePieceModel() throws IOException {
        Path bad = dir.resolve("garbage.model");
        Files.write(bad, "this is not a protobuf at all".getBytes(StandardCharsets.UTF_8));
        failsOn(bad);
        Path empty = dir.resolve("empty.model");
        Files.write(empty, new byte[0]);
        failsOn(empty, "pieces");
        Path real = Golden.fixture("sentencepiece_test_model.model");
        byte[] data = Files.readAllBytes(real);
        Path cut = dir.resolve("truncated.model");
        Files.write(cut, Arrays.copyOf(data, data.length / 2));
        failsOn(cut);
        // a charsmap whose trie size field points past its end
        Path p = dir.resolve("badmap.json");
        Files.writeString(p, "{\"normalizer\":{\"type\":\"Precompiled\",\"precompiled_charsmap\":\"/////wAAAAA=\"},\"model\":" + WORDPIECE_MODEL + "}");
        failsOn(p, "precompiled_charsmap");
    }
}
