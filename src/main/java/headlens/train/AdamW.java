package headlens.train;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;
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
 * (bit-reproducible across runs and resumes), and the global-norm clipping factor folds into it. Blocks of rows run on
 * all cores (element-wise, so the bits do not depend on the split), and a row whose gradient and moments are all zero
 * (a word-table row no batch has touched yet) is only decayed: the full formula gives exactly that there.
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
     * Each tensor's sum runs in one thread in element order and the sums are added in map order, so the tensors may be
     * summed in parallel without changing a bit of the result.
     */
    public static double globalNorm(Map<String, INDArray> grads) {
        List<INDArray> gs = List.copyOf(grads.values());
        double[] sums = new double[gs.size()];
        POOL.submit(() -> IntStream.range(0, gs.size()).parallel().forEach(t -> {
            FloatBuffer b = floats(gs.get(t));
            double s = 0;
            for (int i = 0, n = b.limit(); i < n; i++) { double x = b.get(i); s += x * x; }
            sums[t] = s;
        })).join();
        double sum = 0;
        for (double s : sums) sum += s;
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
        List<Runnable> blocks = new ArrayList<>();
        for (var e : grads.entrySet()) {
            String name = e.getKey();
            INDArray w = weights.get(name);
            if (w == null) throw new IllegalArgumentException("gradient for unknown weight " + name);
            FloatBuffer p = floats(w), g = floats(e.getValue());
            if (p.limit() != g.limit()) throw new IllegalArgumentException("gradient of " + name + " has " + g.limit() + " elements, weight " + p.limit());
            FloatBuffer mb = floats(m.computeIfAbsent(name, k -> Nd4j.zeros(DataType.FLOAT, w.shape())));
            FloatBuffer vb = floats(v.computeIfAbsent(name, k -> Nd4j.zeros(DataType.FLOAT, w.shape())));
            float decay = decays(name) ? (float) (1 - lr * params.weightDecay()) : 1f;
            int n = p.limit(), row = w.rank() == 2 ? (int) w.size(1) : n;
            int rowsPerBlock = Math.max(1, BLOCK / Math.max(1, row));
            for (int start = 0; start < n; start += rowsPerBlock * row) {
                int from = start, to = (int) Math.min(n, start + (long) rowsPerBlock * row);
                blocks.add(() -> {
                    for (int r = from; r < to; r += row) {
                        int end = Math.min(to, r + row);
                        if (zero(g, r, end) && zero(mb, r, end) && zero(vb, r, end)) {
                            // m and v stay 0 and the step term is exactly 0 (the dense loop gives p·decay − 0 too):
                            // the word table's rows no batch has touched yet, most of its 119,547 in a fine-tune
                            if (decay != 1f) for (int i = r; i < end; i++) p.put(i, p.get(i) * decay);
                            continue;
                        }
                        for (int i = r; i < end; i++) {
                            float gi = g.get(i) * scale;
                            float mi = b1 * mb.get(i) + (1 - b1) * gi;
                            float vi = b2 * vb.get(i) + (1 - b2) * gi * gi;
                            mb.put(i, mi);
                            vb.put(i, vi);
                            float pi = p.get(i) * decay;
                            p.put(i, pi - stepSize * mi / ((float) Math.sqrt(vi) / sqrtBc2 + eps));
                        }
                    }
                });
            }
        }
        // element-wise: blocks in any order on any thread give the same bits as one loop
        POOL.submit(() -> blocks.parallelStream().forEach(Runnable::run)).join();
    }

    private static boolean zero(FloatBuffer b, int from, int to) {
        for (int i = from; i < to; i++) if (b.get(i) != 0f) return false;   // -0.0 counts as zero, as in the arithmetic
        return true;
    }

    private static final int BLOCK = 1 << 16;   // elements per parallel task (whole rows)
    private static final ForkJoinPool POOL = new ForkJoinPool(Runtime.getRuntime().availableProcessors());

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
