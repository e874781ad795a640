package headlens.train;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * AdamW's blocked, parallel update with its zero-row shortcut against torch's single-tensor AdamW written out as one
 * serial float loop over every element (torch.optim.AdamW, foreach=False, the formula in AdamW's javadoc): bit for bit,
 * over steps where word-table rows are touched for the first time, left alone again, and touched again; with clipping
 * scales and both decay groups. TorchParityTest checks the same update against libtorch itself (to 1e-4 on losses).
 */
class AdamWTest {
    private static final float B1 = 0.9f, B2 = 0.999f, EPS = 1e-8f;

    @Test
    void blockedSparseUpdateEqualsTheSerialDenseLoopBitForBit() {
        Random rnd = new Random(7);
        int vocab = 3000, hidden = 48;   // > 1 block of 65,536 elements, rows split across blocks' edges never
        Map<String, INDArray> w = new LinkedHashMap<>(), ref = new LinkedHashMap<>();
        put(w, ref, "embeddings.word_embeddings.weight", rnd, vocab, hidden);
        put(w, ref, "encoder.layer.0.output.dense.weight", rnd, 20, 7);
        put(w, ref, "encoder.layer.0.output.dense.bias", rnd, 20);
        put(w, ref, "encoder.layer.0.output.LayerNorm.weight", rnd, 20);
        Map<String, float[]> m = new LinkedHashMap<>(), v = new LinkedHashMap<>();
        ref.forEach((k, a) -> { m.put(k, new float[(int) a.length()]); v.put(k, new float[(int) a.length()]); });
        AdamW adam = new AdamW(new AdamW.Params(0.9, 0.999, 1e-8, 0.01));
        for (int t = 1; t <= 6; t++) {
            Map<String, INDArray> g = new LinkedHashMap<>();
            for (var e : w.entrySet()) {
                float[] x = new float[(int) e.getValue().length()];
                if (e.getKey().startsWith("embeddings")) {
                    // a few rows per step; step 4 touches none; row 0 gets a gradient that is all -0.0
                    for (int r = 0; r < (t == 4 ? 0 : 40); r++) {
                        int row = rnd.nextInt(200) * (t % 2 == 0 ? 1 : 15) % vocab;
                        for (int j = 0; j < hidden; j++) x[row * hidden + j] = (float) rnd.nextGaussian();
                    }
                    for (int j = 0; j < hidden; j++) x[j] = -0.0f;
                } else for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
                g.put(e.getKey(), Nd4j.create(x, e.getValue().shape(), 'c'));
            }
            double lr = 5e-5 * t, scale = t == 3 ? 0.25 : 1.0;
            double norm = AdamW.globalNorm(g);
            assertEquals(serialNorm(g), norm, 0.0, "global norm, step " + t);
            adam.update(w, g, lr, scale);
            serial(ref, g, m, v, t, lr, scale);
            for (String k : w.keySet())
                assertArrayEquals(ref.get(k).data().asFloat(), w.get(k).data().asFloat(), 0f, k + " after step " + t);
        }
        for (String k : w.keySet()) {
            assertArrayEquals(m.get(k), adam.state().get("m." + k).data().asFloat(), 0f, "m." + k);
            assertArrayEquals(v.get(k), adam.state().get("v." + k).data().asFloat(), 0f, "v." + k);
        }
    }

    private static void put(Map<String, INDArray> w, Map<String, INDArray> ref, String name, Random rnd, long... shape) {
        INDArray a = Nd4j.randn(DataType.FLOAT, shape);
        w.put(name, a);
        ref.put(name, a.dup('c'));
    }

    private static double serialNorm(Map<String, INDArray> g) {
        double sum = 0;
        for (INDArray a : g.values()) {
            double s = 0;
            for (float x : a.data().asFloat()) s += (double) x * x;
            sum += s;
        }
        return Math.sqrt(sum);
    }

    /** torch's _single_tensor_adamw in float32, one element after another. */
    private static void serial(Map<String, INDArray> ref, Map<String, INDArray> grads, Map<String, float[]> m, Map<String, float[]> v,
                               int t, double lr, double scale) {
        double bc1 = 1 - Math.pow(0.9, t), bc2 = 1 - Math.pow(0.999, t);
        float stepSize = (float) (lr / bc1), sqrtBc2 = (float) Math.sqrt(bc2);
        for (var e : ref.entrySet()) {
            float[] p = e.getValue().data().asFloat(), g = grads.get(e.getKey()).data().asFloat();
            float[] mm = m.get(e.getKey()), vv = v.get(e.getKey());
            float decay = AdamW.decays(e.getKey()) ? (float) (1 - lr * 0.01) : 1f;
            for (int i = 0; i < p.length; i++) {
                float gi = g[i] * (float) scale;
                mm[i] = B1 * mm[i] + (1 - B1) * gi;
                vv[i] = B2 * vv[i] + (1 - B2) * gi * gi;
                p[i] = p[i] * decay - stepSize * mm[i] / ((float) Math.sqrt(vv[i]) / sqrtBc2 + EPS);
            }
            e.getValue().assign(Nd4j.create(p, e.getValue().shape(), 'c'));
        }
    }
}
