package headlens.model;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The SameDiff 1.0.0-M2.1 work-arounds that {@link Encoder} is built from, one per trap (each probed; see the shared
 * notes {@code samediff-m2.1.md}). Every op here computes what its name says; only the way it is put into the graph
 * differs from the obvious one. Shapes as in {@link Encoder}: N = batch · sequence rows, H = hidden.
 *
 * <p>Several methods expand a vector to [N, n] by a rank-1 matmul with the {@link Encoder#ONES} column: SameDiff's
 * broadcast multiply and add of [N, n] by [n] or [N, 1] (forward and backprop) are several times slower than a
 * same-shape op plus that matmul.
 */
final class SdOps {
    private final SameDiff sd;
    private final SDVariable ones;                                                                                // [N, 1]

    SdOps(SameDiff sd) {
        this.sd = sd;
        this.ones = sd.placeHolder(Encoder.ONES, DataType.FLOAT, -1, 1);                                          // [N, 1]
    }

    /** Trap: gather's backprop is broken for trainable tables. A one-hot × table matmul is exact and differentiable. */
    SDVariable lookup(SDVariable oneHot, SDVariable table) {
        return sd.mmul(oneHot, table);                                                                            // [N, cols]
    }

    /**
     * Trap: gradients w.r.t. placeholders fail. Adds a zero variable [1, cols] (the feed resizes it to [N, cols]) so
     * that the graph yields d loss / d x; the word table gets its gradient this way, scatter-added by the trainer.
     */
    SDVariable gradientTap(SDVariable x, String name, int cols) {
        SDVariable delta = sd.var(name, Nd4j.zeros(DataType.FLOAT, 1, cols));                                    // [N, cols]
        return x.add(delta);                                                                                      // [N, cols]
    }

    /** torch Linear, x · Wᵀ + b with W [out, in]. Trap: mmul does not broadcast rank 3 × rank 2, so x is [N, in]. */
    SDVariable linear(SDVariable x, SDVariable weight, SDVariable bias) {
        return sd.mmul(x, weight, false, true, false).add(bias);                                                  // [N, out]
    }

    /**
     * As {@link #linear}, the bias expanded to [N, out] by the ones column. Trap: the backprop of the broadcast add is a
     * slow reduction over rows (50 ms per [4096, 1536] call, more than the layer's matmul). Used for the wide
     * feed-forward layer only: for [N, H] outputs the broadcast costs ~3 ms, less than the [N, H] copy the expansion
     * keeps alive for backprop (330 MB per MiniLM step at 32 × 128 if used everywhere).
     */
    SDVariable linearWide(SDVariable x, SDVariable weight, SDVariable bias) {
        SDVariable xw = sd.mmul(x, weight, false, true, false);                                                   // [N, out]
        return xw.add(rows(bias));                                                                                // [N, out]
    }

    /** A vector [n] repeated on every row, ones [N, 1] · v [1, n] (the slow-broadcast trap, see the class comment). */
    SDVariable rows(SDVariable v) {
        int n = length(v);
        return sd.mmul(ones, v.reshape(1, n));                                                                    // [N, n]
    }

    /**
     * (x - mean) / sqrt(var + eps) · γ + β over the last axis. Trap: SameDiff's layerNorm has no epsilon (acts as
     * eps ≈ 0); the per-row scale and γ are expanded to [N, H] by outer products (the slow-broadcast trap).
     */
    SDVariable layerNorm(SDVariable x, SDVariable gamma, SDVariable beta, double eps) {
        int n = length(gamma);
        SDVariable onesRow = sd.constant(Nd4j.ones(DataType.FLOAT, 1, n));                                       // [1, H]
        SDVariable mean = x.mean(true, 1);                                                                        // [N, 1]
        SDVariable xc = x.sub(mean);                                                                              // [N, H]
        SDVariable var = xc.mul(xc).mean(true, 1);                                                                // [N, 1]
        SDVariable inv = sd.math().rsqrt(var.add(eps));                                                           // [N, 1]
        SDVariable gammaRows = rows(gamma);                                                                       // [N, H]
        return xc.mul(sd.mmul(inv, onesRow)).mul(gammaRows).add(beta);                                           // [N, H]
    }

    /** Exact GELU (HF {@code gelu}), 0.5 · x · (1 + erf(x / √2)). Trap: nn.gelu is x·σ(1.702x), preciseGelu is wrong. */
    SDVariable geluErf(SDVariable x) {
        SDVariable erf = sd.math().erf(x.mul(1.0 / Math.sqrt(2.0)));                                             // like x
        return x.mul(0.5).mul(erf.add(1.0));                                                                      // like x
    }

    /** Tanh GELU (HF {@code gelu_new}), 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³))). Trap: SameDiff has none. */
    SDVariable geluTanh(SDVariable x) {
        SDVariable inner = x.add(x.mul(x).mul(x).mul(0.044715)).mul(Math.sqrt(2.0 / Math.PI));                  // like x
        return x.mul(0.5).mul(sd.math().tanh(inner).add(1.0));                                                   // like x
    }

    /**
     * Trap: dropout / dropoutInverted have no gradient. Multiplies by a mask placeholder that {@link EncoderFeed} draws
     * in Java (already scaled by 1/(1-p); all ones for evaluation).
     */
    SDVariable dropout(SDVariable x, String name, long... shape) {
        SDVariable mask = sd.placeHolder(name, DataType.FLOAT, shape);                                            // like x
        return x.mul(mask);                                                                                       // like x
    }

    /**
     * Per-head gates [h] applied to a context [N, h·d] (each gate on its head's d columns), expanded by matmuls:
     * gate [1, h] · block matrix [h, h·d], then ones [N, 1] · that row (the slow-broadcast trap).
     */
    SDVariable scaleHeads(SDVariable ctx, SDVariable gate, int h, int d) {
        SDVariable gateRow = sd.mmul(gate.reshape(1, h), sd.constant(headExpansion(h, d)));                      // [1, h*d]
        return ctx.mul(sd.mmul(ones, gateRow));                                                                   // [N, h*d]
    }

    /** [h, h·d] block matrix that repeats each head's gate over its d context columns. */
    private static INDArray headExpansion(int h, int d) {
        INDArray e = Nd4j.zeros(DataType.FLOAT, h, (long) h * d);                                                 // [h, h*d]
        for (int i = 0; i < h; i++) e.get(NDArrayIndex.point(i), NDArrayIndex.interval((long) i * d, (long) (i + 1) * d)).assign(1);
        return e;
    }

    /** Length of a weight vector (a graph variable with its array). */
    private static int length(SDVariable v) {
        return Math.toIntExact(v.getArr().length());
    }
}
