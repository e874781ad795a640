package headlens.heads;

import headlens.config.EncoderConfig;
import headlens.core.HeadlensException;
import headlens.data.Batch;
import headlens.model.ClosingMemoryMgr;
import headlens.model.Encoder;
import headlens.model.Gradients;
import headlens.model.HeadLayout;
import headlens.train.TokenClassifier;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Head importance of a fine-tuned tagger, over labelled batches, with the gates as they are (all 1 for Michel's I_h):
 * <ul>
 *   <li>{@code gradient}: Σ_batches |d loss / d gate(l,h)|, as Michel et al. and HuggingFace's bertology accumulate it
 *       (the loss is the batch mean over counted tokens).</li>
 *   <li>{@code token} (Michel's per-token form): Σ_tokens |⟨d loss / d ctx_h(t), ctx_h(t)⟩| where ctx_h(t) is head h's
 *       context vector at query token t. Since ctx_h(t) = Σ_j P_h(t,j) v_j, the inner product equals
 *       Σ_j (d loss / d P_h(t,j))·P_h(t,j); summed over t without the |·| it is exactly the gate gradient.</li>
 *   <li>{@code entropy}: Σ over real query tokens of the entropy −Σ_j P log P of each head's attention row
 *       (bertology's {@code attn_entropy}, before its division by the token count).</li>
 *   <li>{@code released} (what Ma et al.'s released code ranks by instead of the gate): per batch, the mean of
 *       |d loss / d W_K| plus the mean of |d loss / d W_V| over head h's block, the block cut from the [out, in]
 *       weight's <em>input</em> columns h·d..(h+1)·d (their {@code view(768, 12, 64)}; the query is ignored), summed over
 *       batches; normalised per layer by the L1 sum ({@link HeadScores#fromRawL1}). Only for unpruned models.</li>
 * </ul>
 * Scores are indexed by original head (physically pruned heads are NaN). Only the sums are kept: {@code data} is read
 * once, batch by batch, so it can be a lazy sequence.
 */
public final class HeadImportance {

    /** A labelled batch: ids/mask and labels [B][T] with {@link TokenClassifier#IGNORE} where not counted. */
    public record Example(Encoder.Batch batch, int[][] labels) {
        public static Example of(Batch b) { return new Example(TokenClassifier.input(b), b.labelIds()); }
    }

    /**
     * The tables (token and entropy are null unless asked for). {@code splitHalf}: Spearman's ρ between the gradient
     * rankings of the even- and the odd-numbered batches (null with fewer than two batches with labelled tokens): how
     * well the data agree with themselves, the ceiling for any agreement between languages. {@code windows}: the
     * examples scored, which exceed the sentences where a sentence longer than the maximum length is cut into windows.
     */
    public record Result(HeadScores gradient, HeadScores token, HeadScores entropy, HeadScores released, int windows,
                         long tokens, Double splitHalf) {}

    private HeadImportance() {}

    /**
     * @param withDetail also the per-token and entropy tables; the classifier's encoder must then be built with
     *                   attention outputs ({@code new Encoder.Options(false, true)})
     */
    public static Result compute(String name, TokenClassifier clf, Iterable<Example> data, boolean withDetail,
                                 Consumer<Integer> progress) {
        return compute(name, clf, data, withDetail, false, progress);
    }

    /** @param withReleased also the released code's K/V weight-gradient table ({@link Result#released()}) */
    public static Result compute(String name, TokenClassifier clf, Iterable<Example> data, boolean withDetail,
                                 boolean withReleased, Consumer<Integer> progress) {
        Encoder enc = clf.encoder();
        EncoderConfig cfg = enc.config();
        if (withDetail && !enc.options().attentions())
            throw new IllegalArgumentException("per-token importance and entropy need an encoder built with attention outputs");
        int layers = cfg.numHiddenLayers();
        if (withReleased && HeadLayout.totalHeads(cfg) != layers * cfg.numAttentionHeads())
            throw new IllegalArgumentException("the released code's K/V ranking needs an unpruned model (its blocks are input columns)");
        double[][] grad = new double[layers][], token = new double[layers][], entropy = new double[layers][];
        double[][] kv = new double[layers][cfg.numAttentionHeads()];
        double[][][] half = new double[2][layers][];   // the gradient sums of even and odd batches (they add up to grad)
        for (int l = 0; l < layers; l++) {
            grad[l] = new double[cfg.headsInLayer(l)];
            token[l] = new double[cfg.headsInLayer(l)];
            entropy[l] = new double[cfg.headsInLayer(l)];
            half[0][l] = new double[cfg.headsInLayer(l)];
            half[1][l] = new double[cfg.headsInLayer(l)];
        }
        long[] halfTokens = new long[2];
        int batch = 0;
        List<String> attn = withDetail ? enc.attentionNames() : List.of();
        List<String> wrt = new ArrayList<>();
        wrt.add(Encoder.HEAD_GATES);
        wrt.addAll(attn);
        if (withReleased)
            for (int l = 0; l < layers; l++) { wrt.add(Encoder.keyWeight(l)); wrt.add(Encoder.valueWeight(l)); }
        int windows = 0;
        long tokens = 0;
        // data sorted by length (as ImportanceCommand's) leaves no buffers idle for past lengths; the memory of
        // benchmarks/results/importance-memory-bert-base.txt grew from 3.3 GB at 160 windows to 6.0 GB at 1,000 without
        ClosingMemoryMgr.LengthSorted lengths = new ClosingMemoryMgr.LengthSorted();
        for (Example ex : data) {
            lengths.before(ex.batch().length());
            Map<String, INDArray> feed = clf.feed(ex.batch(), ex.labels(), false);
            OutAndGrad r = Gradients.calculate(clf.sd(), feed, attn, wrt);
            INDArray g = r.getGradients().get(Encoder.HEAD_GATES);                     // [L, heads]
            int side = batch++ % 2;
            for (int l = 0; l < layers; l++)
                for (int h = 0; h < grad[l].length; h++) {
                    double v = Math.abs(g.getDouble(l, h));
                    grad[l][h] += v;
                    half[side][l][h] += v;
                }
            if (withReleased)
                for (int l = 0; l < layers; l++) {
                    double[] k = blockMeanAbs(r.getGradients().get(Encoder.keyWeight(l)), kv[l].length);
                    double[] v = blockMeanAbs(r.getGradients().get(Encoder.valueWeight(l)), kv[l].length);
                    for (int h = 0; h < kv[l].length; h++) kv[l][h] += k[h] + v[h];
                }
            if (withDetail) {
                for (int l = 0; l < layers; l++) {
                    if (grad[l].length == 0) continue;
                    String a = attn.get(l);
                    INDArray p = r.getOutputs().get(a);                                   // [B, h, T, T]
                    INDArray dp = r.getGradients().get(a);                                // [B, h, T, T]
                    accumulateDetail(p, dp, ex.batch().mask(), token[l], entropy[l]);
                }
            }
            // this batch's arrays back to the memory pool now (the pool ignores an array released twice)
            for (var m : List.of(r.getOutputs(), r.getGradients(), feed)) m.values().forEach(ClosingMemoryMgr::recycle);
            windows += ex.batch().size();
            for (int[] row : ex.labels()) for (int y : row) if (y != TokenClassifier.IGNORE) { tokens++; halfTokens[side]++; }
            if (progress != null) progress.accept(ex.batch().size());
        }
        if (tokens == 0) throw new HeadlensException("importance: the data has no labelled tokens");
        Double splitHalf = null;
        if (halfTokens[0] > 0 && halfTokens[1] > 0) {
            double[][] p = HeadScores.fromRaw("even", toOriginal(cfg, half[0]), halfTokens[0])
                    .pairedWith(HeadScores.fromRaw("odd", toOriginal(cfg, half[1]), halfTokens[1]));
            splitHalf = Spearman.rho(p[0], p[1]);
        }
        return new Result(HeadScores.fromRaw(name, toOriginal(cfg, grad), tokens),
                withDetail ? HeadScores.fromRaw(name, toOriginal(cfg, token), tokens) : null,
                withDetail ? HeadScores.fromRaw(name, toOriginal(cfg, entropy), tokens) : null,
                withReleased ? HeadScores.fromRawL1(name, kv, tokens) : null,
                windows, tokens, splitHalf);
    }

    /** Spearman–Brown: the reliability of the whole data from the agreement {@code rho} of its two halves. */
    public static double spearmanBrown(double rho) { return 2 * rho / (1 + rho); }

    /** Mean |g| over each of {@code blocks} equal slices of the input (last) axis of a [out, in] weight gradient. */
    static double[] blockMeanAbs(INDArray g, int blocks) {
        int out = (int) g.size(0), in = (int) g.size(1), d = in / blocks;
        float[] v = g.castTo(DataType.FLOAT).dup('c').data().asFloat();
        double[] m = new double[blocks];
        for (int o = 0; o < out; o++)
            for (int i = 0; i < in; i++) m[i / d] += Math.abs(v[o * in + i]);
        for (int b = 0; b < blocks; b++) m[b] /= (double) out * d;
        return m;
    }

    /** Per-token |Σ_j dP·P| and row entropies over real query tokens, accumulated per head. */
    static void accumulateDetail(INDArray p, INDArray dp, int[][] mask, double[] token, double[] entropy) {
        long b = p.size(0), h = p.size(1), t = p.size(2);
        float[] pv = p.castTo(DataType.FLOAT).dup('c').data().asFloat();
        float[] gv = dp.castTo(DataType.FLOAT).dup('c').data().asFloat();
        for (int i = 0; i < b; i++)
            for (int k = 0; k < h; k++)
                for (int q = 0; q < t; q++) {
                    if (mask[i][q] == 0) continue;
                    int base = (int) (((i * h + k) * t + q) * t);
                    double dot = 0, ent = 0;
                    for (int j = 0; j < t; j++) {
                        double pj = pv[base + j];
                        dot += gv[base + j] * pj;
                        if (pj > 0) ent -= pj * Math.log(pj);
                    }
                    token[k] += Math.abs(dot);
                    entropy[k] += ent;
                }
    }

    /** Current gate columns -> [layer][original head], NaN where physically pruned. */
    static double[][] toOriginal(EncoderConfig cfg, double[][] current) {
        double[][] r = new double[cfg.numHiddenLayers()][cfg.numAttentionHeads()];
        for (int l = 0; l < r.length; l++) {
            Arrays.fill(r[l], Double.NaN);
            int[] kept = HeadLayout.kept(cfg, l);
            for (int i = 0; i < kept.length; i++) r[l][kept[i]] = current[l][i];
        }
        return r;
    }
}
