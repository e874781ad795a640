package headlens.testing;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

import java.io.IOException;
import java.io.InputStream;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * ONNX Runtime running the all-MiniLM-L6-v2 export shipped in the langchain4j artifact: the reference for the encoder
 * parity tests and the peer of the encode benchmark ({@code benchmarks/src/main/java/headlens/bench/EncodeBench}, which
 * is compiled against the test classes; see benchmarks/java.sh).
 */
public final class OnnxReference implements AutoCloseable {
    public static final String RESOURCE = "/all-minilm-l6-v2.onnx";
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;

    public OnnxReference(int threads) throws Exception {
        byte[] model;
        try (InputStream in = OnnxReference.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IOException(RESOURCE + " not on the classpath");
            model = in.readAllBytes();
        }
        OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
        opts.setIntraOpNumThreads(threads);
        opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        session = env.createSession(model, opts);
    }

    /** Last hidden states [B][T][H] for padded ids and mask. */
    public float[][][] run(int[][] ids, int[][] mask) throws Exception {
        int b = ids.length, t = ids[0].length;
        long[] idv = new long[b * t], mv = new long[b * t], tv = new long[b * t];
        for (int i = 0; i < b; i++)
            for (int j = 0; j < t; j++) { idv[i * t + j] = ids[i][j]; mv[i * t + j] = mask[i][j]; }
        long[] shape = {b, t};
        Map<String, OnnxTensor> in = new HashMap<>();
        try (OnnxTensor a = OnnxTensor.createTensor(env, LongBuffer.wrap(idv), shape);
             OnnxTensor m = OnnxTensor.createTensor(env, LongBuffer.wrap(mv), shape);
             OnnxTensor ty = OnnxTensor.createTensor(env, LongBuffer.wrap(tv), shape)) {
            for (String name : session.getInputNames()) {
                in.put(name, switch (name) {
                    case "input_ids" -> a;
                    case "attention_mask" -> m;
                    case "token_type_ids" -> ty;
                    default -> throw new IllegalStateException("unexpected ONNX input " + name);
                });
            }
            try (OrtSession.Result r = session.run(in)) {
                return (float[][][]) r.get(0).getValue();
            }
        }
    }

    public OrtSession session() { return session; }

    @Override
    public void close() throws Exception { session.close(); }
}
