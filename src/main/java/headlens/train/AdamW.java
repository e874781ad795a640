package headlens.train;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * torch's {@code AdamW} (decoupled weight decay), float32, updating weights in place:
 * <pre>
 *   p ← p · (1 − lr·wd)                        (not for biases and LayerNorm weights, as HuggingFace groups them)
 *   m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²
 *   p ← p − lr/(1−β₁ᵗ) · m / (√v / √(1−β₂ᵗ) + ε)
 * </pre>
 * The per-element loop runs in Java over the arrays' native buffers: no temporaries, a fixed summation order
 * (bit-reproducible across runs and resumes), and the global-norm clipping factor folds into it.
 */
public final class AdamW {
    public record Params(double beta1, double beta2, double eps, double weightDecay) {
        public static final Params HF = new Params(0.9, 0.999, 1e-8, 0.01);
    }

    private final Params params;
    private final Map<String, INDArray> m = new LinkedHashMap<>();
    private final Map<String, INDArray> v = new LinkedHashMap<>();
    private long step;   // updates done

    public AdamW(Params params) {
        this.params = params;
    }

    /** HuggingFace's no-decay group: every bias and every LayerNorm weight. */
    public static boolean decays(String name) {
        return !(name.endsWith(".bias") || name.contains("LayerNorm.weight") || name.contains("layer_norm.weight"));
    }

    /**
     * The global L2 norm of all gradients (double accumulation, fixed order), as {@code clip_grad_norm_} computes it.
     */
    public static double globalNorm(Map<String, INDArray> grads) {
        double sum = 0;
        for (INDArray g : grads.values()) {
            FloatBuffer b = floats(g);
            double s = 0;
            for (int i = 0, n = b.limit(); i < n; i++) { double x = b.get(i); s += x * x; }
            sum += s;
        }
        return Math.sqrt(sum);
    }

    /**
     * One update of every weight that has a gradient. {@code gradScale} multiplies the gradients first
     * (the clipping coefficient).
     */
    public void update(Map<String, INDArray> weights, Map<String, INDArray> grads, double lr, double gradScale) {
        step++;
        double bc1 = 1 - Math.pow(params.beta1(), step), bc2 = 1 - Math.pow(params.beta2(), step);
        float b1 = (float) params.beta1(), b2 = (float) params.beta2();
        float stepSize = (float) (lr / bc1), sqrtBc2 = (float) Math.sqrt(bc2), eps = (float) params.eps();
        float scale = (float) gradScale;
        for (var e : grads.entrySet()) {
            String name = e.getKey();
            INDArray w = weights.get(name);
            if (w == null) throw new IllegalArgumentException("gradient for unknown weight " + name);
            FloatBuffer p = floats(w), g = floats(e.getValue());
            if (p.limit() != g.limit()) throw new IllegalArgumentException("gradient of " + name + " has " + g.limit() + " elements, weight " + p.limit());
            FloatBuffer mb = floats(m.computeIfAbsent(name, k -> Nd4j.zeros(DataType.FLOAT, w.shape())));
            FloatBuffer vb = floats(v.computeIfAbsent(name, k -> Nd4j.zeros(DataType.FLOAT, w.shape())));
            float decay = decays(name) ? (float) (1 - lr * params.weightDecay()) : 1f;
            for (int i = 0, n = p.limit(); i < n; i++) {
                float gi = g.get(i) * scale;
                float mi = b1 * mb.get(i) + (1 - b1) * gi;
                float vi = b2 * vb.get(i) + (1 - b2) * gi * gi;
                mb.put(i, mi);
                vb.put(i, vi);
                float pi = p.get(i) * decay;
                p.put(i, pi - stepSize * mi / ((float) Math.sqrt(vi) / sqrtBc2 + eps));
            }
        }
    }

    /** A contiguous float32 view of an array's elements (c order, no offset), writable in place. */
    static FloatBuffer floats(INDArray a) {
        if (a.dataType() != DataType.FLOAT || a.isView() || a.ordering() != 'c' || a.data().length() != a.length())
            throw new IllegalArgumentException("expected a contiguous float32 array, got " + a.dataType() + " " + a.shapeInfoToString());
        FloatBuffer b = a.data().asNioFloat();
        if (b.limit() < a.length()) throw new IllegalStateException("buffer shorter than array");
        return b.limit(Math.toIntExact(a.length()));
    }

    public long step() { return step; }

    public Params params() { return params; }

    /** Optimizer state for checkpoints: {@code m.NAME}, {@code v.NAME}. */
    public Map<String, INDArray> state() {
        Map<String, INDArray> s = new LinkedHashMap<>();
        m.forEach((k, a) -> s.put("m." + k, a));
        v.forEach((k, a) -> s.put("v." + k, a));
        return s;
    }

    public void restore(Map<String, INDArray> state, long step) {
        m.clear();
        v.clear();
        state.forEach((k, a) -> {
            INDArray c = a.castTo(DataType.FLOAT).dup('c');
            if (k.startsWith("m.")) m.put(k.substring(2), c);
            else if (k.startsWith("v.")) v.put(k.substring(2), c);
            else throw new IllegalArgumentException("optimizer state: unexpected entry " + k);
        });
        this.step = step;
    }
}
