package headlens.convert;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.CodedOutputStream;
import headlens.config.EncoderConfig;
import headlens.core.HeadlensException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The embedded all-MiniLM-L6-v2 export: converted weights are checked against ONNX Runtime running the original
 * graph, with intermediate values (embedding lookups, the input and output of every Linear) exposed as extra graph
 * outputs. So names, transposition and values of all 101 tensors are checked against an independent engine.
 */
class MiniLmOnnxTest {
    @TempDir static Path tmp;
    static byte[] onnx;
    static Path modelDir;
    static EncoderConfig cfg;
    static Map<String, Tensor> weights;

    @BeforeAll
    static void convert() throws IOException {
        try (InputStream in = MiniLmOnnxTest.class.getResourceAsStream("/all-minilm-l6-v2.onnx")) {
            onnx = in.readAllBytes();
        }
        modelDir = tmp.resolve("minilm");
        Converter.Report r = Converter.defaultModel(modelDir);
        assertEquals(101, r.tensors());
        cfg = ModelFiles.readConfig(modelDir);
        weights = ModelFiles.readWeights(modelDir, cfg);
    }

    @Test
    void modelDirectoryHasConfigTokenizerAndAllTensors() throws IOException {
        assertEquals(384, cfg.hiddenSize());
        assertEquals(List.copyOf(ModelFiles.expectedShapes(cfg).keySet()), List.copyOf(weights.keySet()));
        for (Tensor t : weights.values()) assertEquals(DType.F32, t.dtype());
        try (InputStream in = getClass().getResourceAsStream("/all-minilm-l6-v2-tokenizer.json")) {
            assertArrayEquals(in.readAllBytes(), Files.readAllBytes(modelDir.resolve("tokenizer.json")));
        }
    }

    @Test
    void everyTensorAgreesWithOnnxRuntime() throws Exception {
        OnnxWeights.Graph g = OnnxWeights.parse(Path.of("minilm.onnx"), java.nio.ByteBuffer.wrap(onnx));
        // Linear layers: MatMul node input x, and the Add that adds the bias; HF name from the node name (test-side)
        Map<String, String[]> linears = new LinkedHashMap<>();
        for (OnnxWeights.Node n : g.nodes()) {
            if (!n.op().equals("MatMul") || !g.initializers().containsKey(n.inputs().get(1))) continue;
            String hf = n.name().substring(1, n.name().length() - "/MatMul".length()).replace('/', '.');
            String add = n.name().substring(0, n.name().length() - "MatMul".length()) + "Add_output_0";
            linears.put(hf, new String[]{n.inputs().get(0), add});
        }
        assertEquals(36, linears.size());
        List<String> extra = new ArrayList<>(List.of("/embeddings/word_embeddings/Gather_output_0",
                "/embeddings/position_embeddings/Gather_output_0", "/embeddings/token_type_embeddings/Gather_output_0",
                "/embeddings/LayerNorm/Add_1_output_0"));
        for (String[] io : linears.values()) for (String s : io) if (!extra.contains(s)) extra.add(s);

        long[] ids = {101, 7592, 1010, 2088, 999, 2026, 2171, 102};
        long[] types = {0, 0, 0, 0, 1, 1, 1, 1};
        int T = ids.length, H = 384;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
        opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
        Map<String, float[][]> out = new LinkedHashMap<>();
        try (OrtSession s = env.createSession(withExtraOutputs(onnx, extra), opts);
             OnnxTensor a = OnnxTensor.createTensor(env, new long[][]{ids});
             OnnxTensor m = OnnxTensor.createTensor(env, new long[][]{{1, 1, 1, 1, 1, 1, 1, 1}});
             OnnxTensor tt = OnnxTensor.createTensor(env, new long[][]{types});
             OrtSession.Result r = s.run(Map.of("input_ids", a, "attention_mask", m, "token_type_ids", tt))) {
            for (String name : extra) {
                OnnxValue v = r.get(name).orElseThrow();
                out.put(name, ((float[][][]) v.getValue())[0]);
            }
        }
        // embedding tables: ORT's Gather rows equal our rows bit for bit
        float[] word = weights.get("embeddings.word_embeddings.weight").toFloats();
        float[] pos = weights.get("embeddings.position_embeddings.weight").toFloats();
        float[] type = weights.get("embeddings.token_type_embeddings.weight").toFloats();
        for (int t = 0; t < T; t++) {
            assertArrayEquals(out.get("/embeddings/word_embeddings/Gather_output_0")[t], Arrays.copyOfRange(word, (int) ids[t] * H, (int) ids[t] * H + H), 0f);
            assertArrayEquals(out.get("/embeddings/position_embeddings/Gather_output_0")[t], Arrays.copyOfRange(pos, t * H, t * H + H), 0f);
            assertArrayEquals(out.get("/embeddings/token_type_embeddings/Gather_output_0")[t], Arrays.copyOfRange(type, (int) types[t] * H, (int) types[t] * H + H), 0f);
        }
        // embedding LayerNorm with our gamma/beta
        float[] gamma = weights.get("embeddings.LayerNorm.weight").toFloats(), beta = weights.get("embeddings.LayerNorm.bias").toFloats();
        for (int t = 0; t < T; t++) {
            double[] x = new double[H];
            double mean = 0, var = 0;
            for (int i = 0; i < H; i++) { x[i] = (double) word[(int) ids[t] * H + i] + type[(int) types[t] * H + i] + pos[t * H + i]; mean += x[i]; }
            mean /= H;
            for (int i = 0; i < H; i++) var += (x[i] - mean) * (x[i] - mean);
            var /= H;
            for (int i = 0; i < H; i++) {
                double want = (x[i] - mean) / Math.sqrt(var + 1e-12) * gamma[i] + beta[i];
                assertEquals(want, out.get("/embeddings/LayerNorm/Add_1_output_0")[t][i], 1e-4);
            }
        }
        // every Linear: ORT's y = x W_onnx + b equals x W_hf^T + b with our [out, in] weight
        for (var e : linears.entrySet()) {
            Tensor w = weights.get(e.getKey() + ".weight");
            assertNotNull(w, e.getKey());
            int outF = (int) w.shape()[0], inF = (int) w.shape()[1];
            float[] wf = w.toFloats(), bf = weights.get(e.getKey() + ".bias").toFloats();
            float[][] x = out.get(e.getValue()[0]), y = out.get(e.getValue()[1]);
            double maxErr = 0;
            for (int t = 0; t < T; t++)
                for (int o = 0; o < outF; o++) {
                    double acc = bf[o];
                    for (int i = 0; i < inF; i++) acc += (double) x[t][i] * wf[o * inF + i];
                    maxErr = Math.max(maxErr, Math.abs(acc - y[t][o]) / (1 + Math.abs(acc)));
                }
            assertTrue(maxErr < 1e-4, e.getKey() + " max rel error " + maxErr);
        }
    }

    /** Appends a second ModelProto.graph (field 7) holding only extra outputs; protobuf merges it into the first. */
    static byte[] withExtraOutputs(byte[] model, List<String> names) throws IOException {
        ByteArrayOutputStream graph = new ByteArrayOutputStream();
        CodedOutputStream g = CodedOutputStream.newInstance(graph);
        for (String n : names) {
            ByteArrayOutputStream vi = new ByteArrayOutputStream();
            CodedOutputStream v = CodedOutputStream.newInstance(vi);
            v.writeString(1, n);
            v.writeByteArray(2, new byte[]{0x0a, 0x02, 0x08, 0x01});   // TypeProto{tensor_type{elem_type: FLOAT}}
            v.flush();
            g.writeByteArray(12, vi.toByteArray());
        }
        g.flush();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.write(model);
        CodedOutputStream a = CodedOutputStream.newInstance(all);
        a.writeByteArray(7, graph.toByteArray());
        a.flush();
        return all.toByteArray();
    }

    // ------------------------------------------------------------------ bad input

    @Test
    void truncatedOrCorruptedOnnxNamesTheFile() throws IOException {
        Path p = tmp.resolve("cut.onnx");
        Files.write(p, Arrays.copyOf(onnx, onnx.length / 2));
        HeadlensException e = assertThrows(HeadlensException.class, () -> OnnxWeights.read(p, cfg));
        assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
        byte[] bad = Arrays.copyOf(onnx, 4096);
        Arrays.fill(bad, 100, 4096, (byte) 0xff);
        Files.write(p, bad);
        e = assertThrows(HeadlensException.class, () -> OnnxWeights.read(p, cfg));
        assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
    }

    @Test
    void configMismatchNamesTensorAndShapes() throws IOException {
        Path p = tmp.resolve("m.onnx");
        Files.write(p, onnx);
        var json = cfg.toJson();
        json.put("intermediate_size", 1024);
        EncoderConfig wrong = EncoderConfig.fromJson(json, "test");
        HeadlensException e = assertThrows(HeadlensException.class, () -> OnnxWeights.read(p, wrong));
        assertTrue(e.getMessage().contains("'encoder.layer.0.intermediate.dense.weight' has shape [1536, 384] but the config needs [1024, 384]"), e.getMessage());
        json = cfg.toJson();
        json.put("num_hidden_layers", 7);
        EncoderConfig deeper = EncoderConfig.fromJson(json, "test");
        e = assertThrows(HeadlensException.class, () -> OnnxWeights.read(p, deeper));
        assertTrue(e.getMessage().contains("missing tensors [encoder.layer.6.attention.self.query.weight"), e.getMessage());
    }
}
