package headlens.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import headlens.io.Npz;
import headlens.model.ModelSource;
import headlens.testing.OnnxReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code headlens encode} end to end on the real all-MiniLM-L6-v2 directory: an empty line, a line longer than
 * max_position_embeddings (hidden states checked against ONNX Runtime on the same ids), and unusable models
 * (truncated weights, a config that does not fit the tensors, no input) with exit code 2 and a message naming the cause.
 */
class EncodeCommandTest {
    @TempDir static Path tmp;
    static Path modelDir;

    @BeforeAll
    static void copyDefaultModel() throws Exception {
        Path src = ModelSource.ensureDefaultModel();
        modelDir = Files.createDirectories(tmp.resolve("minilm"));
        try (var files = Files.list(src)) {
            for (Path f : files.toList()) Files.copy(f, modelDir.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static String[] run(String... args) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        try {
            return new String[] {String.valueOf(Main.run(args)), o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    /** [CLS]/[SEP] ids as tokenizer.json declares them (independent of our tokenizer code). */
    private static int special(String token) throws Exception {
        JsonNode j = new ObjectMapper().readTree(modelDir.resolve("tokenizer.json").toFile());
        for (JsonNode t : j.get("added_tokens")) if (t.get("content").asText().equals(token)) return t.get("id").asInt();
        throw new AssertionError(token);
    }

    @Test
    void emptyAndOverlongLinesAreEncodedWithWarnings() throws Exception {
        Path in = tmp.resolve("in.txt"), out = tmp.resolve("out.npz");
        String longLine = "word ".repeat(700).strip();
        Files.writeString(in, "The quick brown fox.\n\n" + longLine + "\n");
        String[] r = run("encode", "--model", modelDir.toString(), "--input", in.toString(), "--output", out.toString());
        assertEquals("0", r[0], r[2]);
        assertTrue(r[2].contains("in.txt:2 is empty"), r[2]);
        assertTrue(r[2].contains("in.txt:3 has 702 tokens; truncated to max_position_embeddings (512)"), r[2]);
        Map<String, INDArray> npz = Npz.read(out);
        int cls = special("[CLS]"), sep = special("[SEP]");
        assertArrayEquals(new long[] {cls, sep}, npz.get("input_ids_1").toLongVector());
        long[] truncated = npz.get("input_ids_2").toLongVector();
        assertEquals(512, truncated.length);
        assertEquals(cls, truncated[0]);
        assertEquals(sep, truncated[511]);
        // every line's hidden states equal ONNX Runtime's on the same ids
        try (OnnxReference ort = new OnnxReference(2)) {
            for (int i = 0; i < 3; i++) {
                long[] ids = npz.get("input_ids_" + i).toLongVector();
                int[][] a = {new int[ids.length]}, m = {new int[ids.length]};
                for (int t = 0; t < ids.length; t++) { a[0][t] = (int) ids[t]; m[0][t] = 1; }
                float[][] ref = ort.run(a, m)[0];
                INDArray h = npz.get("hidden_" + i);
                assertArrayEquals(new long[] {ids.length, 384}, h.shape());
                double worst = 0;
                for (int t = 0; t < ids.length; t++)
                    for (int k = 0; k < 384; k++) worst = Math.max(worst, Math.abs(h.getFloat(t, k) - ref[t][k]));
                assertTrue(worst <= 1e-4, "line " + i + ": max abs diff vs ONNX Runtime " + worst);
            }
        }
    }

    @Test
    void truncatedWeightsNameTheFile() throws Exception {
        Path bad = copyModel("truncated");
        Path st = bad.resolve("model.safetensors");
        byte[] all = Files.readAllBytes(st);
        Files.write(st, java.util.Arrays.copyOf(all, all.length / 2));
        String[] r = encode(bad);
        assertEquals("2", r[0], r[2]);
        assertTrue(r[2].contains("model.safetensors") && r[2].contains("truncated"), r[2]);
    }

    @Test
    void configThatDoesNotFitTheTensorsNamesTheTensor() throws Exception {
        Path bad = copyModel("mismatch");
        Path cfg = bad.resolve("config.json");
        Files.writeString(cfg, Files.readString(cfg).replaceAll("\"intermediate_size\"\\s*:\\s*1536", "\"intermediate_size\": 1000"));
        String[] r = encode(bad);
        assertEquals("2", r[0], r[2]);
        assertTrue(r[2].contains("encoder.layer.0.intermediate.dense.weight") && r[2].contains("1536"), r[2]);
    }

    @Test
    void noInputLinesIsAnError() throws Exception {
        Path in = tmp.resolve("empty.txt");
        Files.writeString(in, "");
        String[] r = run("encode", "--model", modelDir.toString(), "--input", in.toString(), "--output", tmp.resolve("x.npz").toString());
        assertEquals("2", r[0], r[2]);
        assertTrue(r[2].contains("empty.txt") && r[2].contains("no input lines"), r[2]);
    }

    private static String[] encode(Path model) throws Exception {
        Path in = tmp.resolve("one.txt");
        Files.writeString(in, "hello\n");
        return run("encode", "--model", model.toString(), "--input", in.toString(), "--output", tmp.resolve("bad.npz").toString());
    }

    private static Path copyModel(String name) throws Exception {
        Path d = Files.createDirectories(tmp.resolve(name));
        try (var files = Files.list(modelDir)) {
            for (Path f : files.toList()) Files.copy(f, d.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        return d;
    }
}
