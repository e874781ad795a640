package headlens.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code headlens tokenize}: output checked against the reference values of ../shared/assets/README.md (HF tokenizers, sentencepiece). */
class TokenizeCommandTest {
    @TempDir Path dir;

    private String[] run(String... args) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        try {
            int rc = Main.run(args);
            return new String[] {String.valueOf(rc), o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    static Path assets() {
        Path p = Path.of(System.getProperty("headlens.shared", "../shared"), "assets");
        if (!Files.isDirectory(p)) throw new IllegalStateException("this test needs ../shared/assets: " + p.toAbsolutePath());
        return p;
    }

    /** A tokenizer file committed under src/test/resources/headlens/tokenize/fixtures (see the SOURCE.md there). */
    static Path fixture(String name) throws Exception {
        return Path.of(TokenizeCommandTest.class.getResource("/headlens/tokenize/fixtures/" + name).toURI());
    }

    @Test
    @Tag("slow")
    void mbertTokenizerJsonAndDirectory() throws Exception {
        mbert(List.of(assets().resolve("bert-base-multilingual-cased/tokenizer.json"), assets().resolve("bert-base-multilingual-cased")));
    }

    @Test
    void mbertVocabTxtAndADirectoryHoldingIt() throws Exception {
        Path vocab = fixture("bert-base-multilingual-cased-vocab.txt");
        Path d = Files.createDirectories(dir.resolve("mbert"));
        Files.copy(vocab, d.resolve("vocab.txt"));
        mbert(List.of(vocab, d));
    }

    private void mbert(List<Path> tokenizers) throws Exception {
        Path in = dir.resolve("in.txt");
        Files.writeString(in, "Ich möchte einen Wecker für 7 Uhr stellen.\n");
        for (Path tok : tokenizers) {
            String[] r = run("tokenize", "--tokenizer", tok.toString(), "--input", in.toString());
            assertEquals("0", r[0], r[2]);
            JsonNode j = new ObjectMapper().readTree(r[1].strip());
            // reference: HF tokenizers 0.23.2, shared/assets/README.md
            assertEquals("[101,21023,93487,10897,12865,19153,10307,128,32452,30354,119,102]", j.get("ids").toString());
            assertEquals("[[0,0],[0,3],[4,10],[11,16],[17,19],[19,23],[24,27],[28,29],[30,33],[34,41],[41,42],[0,0]]", j.get("offsets").toString());
            assertEquals("\"[CLS]\"", j.get("tokens").get(0).toString());
        }
    }

    @Test
    void bareSentencePieceModelPrintsItsOwnIds() throws Exception {
        Path in = dir.resolve("in.txt");
        Files.writeString(in, "I was born in 92000, and this is falsé.\n");
        Path model = fixture("sentencepiece_test_model.model");
        String[] r = run("tokenize", "--tokenizer", model.toString(), "--input", in.toString());
        assertEquals("0", r[0], r[2]);
        JsonNode j = new ObjectMapper().readTree(r[1].strip());
        // reference: google/sentencepiece (README example)
        assertEquals("[9,22,80,54,24,20,4,0,596,351,351,351,5,13,65,47,74,73,8,0,6]", j.get("ids").toString());
        assertFalse(j.has("offsets"));
        String[] x = run("tokenize", "--tokenizer", model.toString(), "--input", in.toString(), "--model-type", "xlm-roberta");
        JsonNode k = new ObjectMapper().readTree(x[1].strip());
        assertEquals(0, k.get("ids").get(0).asInt());
        assertEquals(10, k.get("ids").get(1).asInt()); // "▁I": SentencePiece id 9 + 1
        assertEquals(2, k.get("ids").get(k.get("ids").size() - 1).asInt());
        assertTrue(k.has("offsets"));
    }

    @Test
    void missingFilesAreUserErrors() throws Exception {
        Path in = dir.resolve("in.txt");
        Files.writeString(in, "x\n");
        String[] r = run("tokenize", "--tokenizer", dir.resolve("nope.json").toString(), "--input", in.toString());
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("nope.json"), r[2]);
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"model\":{\"type\":\"WordPiece\",\"vocab\":{\"a\":0}}}");
        r = run("tokenize", "--tokenizer", bad.toString(), "--input", in.toString());
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("bad.json") && r[2].contains("unk_token"), r[2]);
    }
}
