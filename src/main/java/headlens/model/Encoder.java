package headlens.model;

import headlens.config.EncoderConfig;
import headlens.core.HeadlensException;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.random.impl.BernoulliDistribution;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A BERT / XLM-R encoder as one SameDiff graph, written in forward order after HuggingFace's
 * {@code modeling_bert.py}. Variables carry the checkpoint's key names ({@code encoder.layer.3.attention.self.query.weight});
 * Linear weights keep torch's [out, in] layout and are applied as {@code x · Wᵀ + b}.
 *
 * <p>Shapes: B = batch, T = sequence length, N = B·T (dense layers work on [N, hidden] because SameDiff's
 * mmul does not broadcast rank 3 × rank 2), H = hidden, h = heads in the layer, d = head size.
 *
 * <p>Work-arounds for SameDiff 1.0.0-M2.1, each probed:
 * <ul>
 *   <li>The word table stays outside the graph (gather's backprop is broken): rows are gathered in Java and fed as
 *       {@code inputs_embeds}; in training a zero variable {@code embeddings.word_embeddings.delta} is added so the
 *       graph yields d loss / d embeddings, which the trainer scatter-adds into the table.</li>
 *   <li>Position and token-type tables are variables looked up by one-hot × matmul (exact, differentiable).</li>
 *   <li>Layer norm is composed by hand (SameDiff's has no epsilon); GELU is composed too (erf or tanh form, per {@code hidden_act}).</li>
 *   <li>Dropout multiplies by mask placeholders drawn outside the graph (SameDiff's dropout has no gradient).</li>
 *   <li>Head gates are a variable {@code head_gates} [layers, heads] (gradients w.r.t. placeholders fail);
 *       they multiply the attention probabilities as HuggingFace's {@code head_mask} does.</li>
 * </ul>
 */
public final class Encoder {

    /** Names of the graph's inputs (placeholders) and outputs. */
    public static final String INPUTS_EMBEDS = "inputs_embeds";           // [N, H]   gathered word embeddings
    public static final String POSITION_ONEHOT = "position_onehot";       // [N, P]
    public static final String TOKEN_TYPE_ONEHOT = "token_type_onehot";   // [N, TV]
    public static final String ATTENTION_BIAS = "attention_bias";         // [B, 1, 1, T]  0 for tokens, -1e9 for padding
    public static final String BATCH_SHAPE = "batch_shape";               // [2] int64 = (B, T)
    public static final String ONES = "ones";                             // [N, 1] all ones (for outer-product expansions)
    public static final String HEAD_GATES = "head_gates";                 // [layers, heads] variable
    public static final String WORD_DELTA = "embeddings.word_embeddings.delta"; // [N, H] zero variable (training only)
    public static final String LAST_HIDDEN = "last_hidden_state";         // [N, H]
    public static final String WORD_EMBEDDINGS = "embeddings.word_embeddings.weight";
    private static final float MASKED = -1e9f;

    /** Training adds the dropout-mask placeholders and the word-embedding delta. */
    public record Options(boolean training, boolean attentions) {
        public static final Options INFERENCE = new Options(false, false);
        public static final Options WITH_ATTENTIONS = new Options(false, true);
        public static final Options TRAINING = new Options(true, false);
    }

    private final EncoderConfig cfg;
    private final Options options;
    private final SameDiff sd;
    private final INDArray wordTable;               // [vocab, H], outside the graph
    private final SDVariable lastHidden;            // [N, H]
    private SDVariable ones;                        // [N, 1]
    private final List<String> attentionNames = new ArrayList<>();
    private final List<DropoutSite> dropoutSites = new ArrayList<>();

    /** A dropout mask placeholder: [N, H] after dense layers, [B, h, T, T] on attention probabilities. */
    public record DropoutSite(String name, int attentionHeads, double rate) {}

    static {
        ClosingMemoryMgr.install();
    }

    private Encoder(EncoderConfig cfg, Map<String, INDArray> weights, Options options) {
        this.cfg = cfg;
        this.options = options;
        this.sd = SameDiff.create();
        this.wordTable = require(weights, WORD_EMBEDDINGS, cfg.vocabSize(), cfg.hiddenSize());
        this.lastHidden = build(weights);
    }

    /** Builds the graph over the given weights (HuggingFace BertModel key names, no {@code bert.} prefix). */
    public static Encoder create(EncoderConfig cfg, Map<String, INDArray> weights, Options options) {
        return new Encoder(cfg, weights, options);
    }

    // ------------------------------------------------------------------------------------------------ graph

    private SDVariable build(Map<String, INDArray> w) {
        int hidden = cfg.hiddenSize();
        SDVariable embeds = sd.placeHolder(INPUTS_EMBEDS, DataType.FLOAT, -1, hidden);                         // [N, H]
        SDVariable posOneHot = sd.placeHolder(POSITION_ONEHOT, DataType.FLOAT, -1, cfg.maxPositionEmbeddings());  // [N, P]
        SDVariable typeOneHot = sd.placeHolder(TOKEN_TYPE_ONEHOT, DataType.FLOAT, -1, cfg.typeVocabSize());    // [N, TV]
        SDVariable bias = sd.placeHolder(ATTENTION_BIAS, DataType.FLOAT, -1, 1, 1, -1);                       // [B, 1, 1, T]
        SDVariable batchShape = sd.placeHolder(BATCH_SHAPE, DataType.INT64, 2);                                // [2]
        ones = sd.placeHolder(ONES, DataType.FLOAT, -1, 1);                                                    // [N, 1]
        SDVariable gates = sd.var(HEAD_GATES, Nd4j.ones(DataType.FLOAT, cfg.numHiddenLayers(), cfg.numAttentionHeads())); // [L, heads]

        // --- embeddings
        if (options.training()) {
            SDVariable delta = sd.var(WORD_DELTA, Nd4j.zeros(DataType.FLOAT, 1, hidden));                     // [N, H]
            embeds = embeds.add(delta);                                                                        // [N, H]
        }
        SDVariable pos = sd.mmul(posOneHot, weight(w, "embeddings.position_embeddings.weight",
                cfg.maxPositionEmbeddings(), hidden));                                                          // [N, H]
        SDVariable type = sd.mmul(typeOneHot, weight(w, "embeddings.token_type_embeddings.weight",
                cfg.typeVocabSize(), hidden));                                                                  // [N, H]
        SDVariable x = embeds.add(pos).add(type);                                                              // [N, H]
        x = layerNorm(x, w, "embeddings.LayerNorm");                                                           // [N, H]
        x = dropout(x, "embeddings.dropout", 0, -1, hidden);                                                   // [N, H]

        // --- encoder layers
        for (int l = 0; l < cfg.numHiddenLayers(); l++) {
            x = layer(x, w, l, gates, bias, batchShape);                                                       // [N, H]
        }
        return sd.identity(LAST_HIDDEN, x);                                                                    // [N, H]
    }

    private SDVariable layer(SDVariable x, Map<String, INDArray> w, int l, SDVariable gates, SDVariable bias,
                             SDVariable batchShape) {
        String p = "encoder.layer." + l + ".";
        int h = cfg.headsInLayer(l), d = cfg.headDim(), hidden = cfg.hiddenSize();
        if (h == 0) { // every head pruned: attention contributes only its output bias (as in HuggingFace)
            SDVariable attnOut = rows(weight(w, p + "attention.output.dense.bias", hidden), hidden);          // [N, H]
            x = layerNorm(attnOut.add(x), w, p + "attention.output.LayerNorm");                               // [N, H]
            return feedForward(x, w, p);
        }
        // self-attention: [N, H] -> [B, h, T, d]
        SDVariable headShape = sd.concat(0, batchShape, sd.constant(Nd4j.createFromArray((long) h, d)));      // [4] = (B, T, h, d)
        // 1/√d is applied to the queries ([N, h·d]) rather than to the scores ([B, h, T, T]): same product, 4× fewer elements
        SDVariable qScaled = dense(x, w, p + "attention.self.query", h * d, hidden).mul(1.0 / Math.sqrt(d));   // [N, h*d]
        SDVariable q = sd.permute(sd.reshape(qScaled, headShape), 0, 2, 1, 3);                                  // [B, h, T, d]
        SDVariable kT = sd.permute(sd.reshape(dense(x, w, p + "attention.self.key", h * d, hidden), headShape), 0, 2, 3, 1);  // [B, h, d, T]
        SDVariable v = sd.permute(sd.reshape(dense(x, w, p + "attention.self.value", h * d, hidden), headShape), 0, 2, 1, 3); // [B, h, T, d]
        SDVariable scores = sd.linalg().matmul(q, kT);                                                         // [B, h, T, T]
        scores = scores.add(bias);                                                                             // [B, h, T, T]
        SDVariable probs = sd.nn().softmax(scores, -1);                                                        // [B, h, T, T]
        probs = dropout(probs, p + "attention.self.dropout", h, -1, h, -1, -1);                               // [B, h, T, T]
        SDVariable gate = gates.get(SDIndex.point(l), SDIndex.interval(0, h));                                 // [h]
        SDVariable ctx;
        if (options.attentions()) {
            // gated probabilities, named and on the path (d loss / d probs can be asked for)
            probs = sd.identity(p + "attention.self.probs", probs.mul(gate.reshape(1, h, 1, 1)));            // [B, h, T, T]
            attentionNames.add(probs.name());
            ctx = sd.linalg().matmul(probs, v);                                                                // [B, h, T, d]
            ctx = sd.permute(ctx, 0, 2, 1, 3).reshape(-1, h * d);                                              // [N, h*d]
        } else {
            // (g·P)·V = g·(P·V): the per-head gate scales the context instead of the probabilities. Same numbers,
            // and it avoids SameDiff's slow broadcast multiply (and its backprop) on [B, h, T, T].
            ctx = sd.linalg().matmul(probs, v);                                                                // [B, h, T, d]
            ctx = sd.permute(ctx, 0, 2, 1, 3).reshape(-1, h * d);                                              // [N, h*d]
            SDVariable gateRow = sd.mmul(gate.reshape(1, h), sd.constant(headExpansion(h, d)));               // [1, h*d]
            ctx = ctx.mul(sd.mmul(ones, gateRow));                                                             // [N, h*d]
        }
        SDVariable attnOut = dense(ctx, w, p + "attention.output.dense", hidden, h * d);                       // [N, H]
        attnOut = dropout(attnOut, p + "attention.output.dropout", 0, -1, hidden);                             // [N, H]
        x = layerNorm(attnOut.add(x), w, p + "attention.output.LayerNorm");                                    // [N, H]
        return feedForward(x, w, p);
    }

    private SDVariable feedForward(SDVariable x, Map<String, INDArray> w, String p) {
        int hidden = cfg.hiddenSize(), inter = cfg.intermediateSize();
        SDVariable u = gelu(denseWide(x, w, p + "intermediate.dense", inter, hidden));                             // [N, I]
        SDVariable out = dense(u, w, p + "output.dense", hidden, inter);                                       // [N, H]
        out = dropout(out, p + "output.dropout", 0, -1, hidden);                                               // [N, H]
        return layerNorm(out.add(x), w, p + "output.LayerNorm");                                               // [N, H]
    }

    /** torch Linear: x · Wᵀ + b, W [out, in]. */
    private SDVariable dense(SDVariable x, Map<String, INDArray> w, String name, int out, int in) {
        return dense(x, w, name, out, in, false);
    }

    /**
     * As {@link #dense}, with the bias expanded to [N, out] by a rank-1 matmul with the ones column. Used for the wide
     * feed-forward layer only: there SameDiff's backprop of the broadcast add (a slow reduction over rows) took 50 ms per
     * [4096, 1536] call, more than the layer's matmul; for [N, H] outputs it costs ~3 ms, less than the [N, H] copy
     * the expansion keeps alive for backprop (memory: 330 MB per MiniLM step at 32 × 128 if used everywhere).
     */
    private SDVariable denseWide(SDVariable x, Map<String, INDArray> w, String name, int out, int in) {
        return dense(x, w, name, out, in, true);
    }

    private SDVariable dense(SDVariable x, Map<String, INDArray> w, String name, int out, int in, boolean biasByMatmul) {
        SDVariable weight = weight(w, name + ".weight", out, in);                                             // [out, in]
        SDVariable b = weight(w, name + ".bias", out);                                                         // [out]
        return sd.mmul(x, weight, false, true, false).add(biasByMatmul ? rows(b, out) : b);                    // [N, out]
    }

    /** A vector [n] repeated on every row: ones [N, 1] · v [1, n]. */
    private SDVariable rows(SDVariable v, int n) {
        return sd.mmul(ones, v.reshape(1, n));                                                                 // [N, n]
    }

    /**
     * (x - mean) / sqrt(var + eps) · γ + β over the last axis, with the config's epsilon. The per-row scale and γ are
     * expanded to [N, H] by outer products with a ones vector: SameDiff's broadcast multiply of [N, H] by [N, 1] or
     * [H] (forward and backprop) is several times slower than a same-shape multiply plus a rank-1 matmul.
     */
    private SDVariable layerNorm(SDVariable x, Map<String, INDArray> w, String name) {
        int hidden = cfg.hiddenSize();
        SDVariable onesRow = sd.constant(Nd4j.ones(DataType.FLOAT, 1, hidden));                               // [1, H]
        SDVariable mean = x.mean(true, 1);                                                                     // [N, 1]
        SDVariable xc = x.sub(mean);                                                                           // [N, H]
        SDVariable var = xc.mul(xc).mean(true, 1);                                                             // [N, 1]
        SDVariable inv = sd.math().rsqrt(var.add(cfg.layerNormEps()));                                         // [N, 1]
        SDVariable gamma = rows(weight(w, name + ".weight", hidden), hidden);                                  // [N, H]
        return xc.mul(sd.mmul(inv, onesRow)).mul(gamma).add(weight(w, name + ".bias", hidden));                // [N, H]
    }

    /** [h, h*d] block matrix that repeats each head's gate over its d context columns. */
    private static INDArray headExpansion(int h, int d) {
        INDArray e = Nd4j.zeros(DataType.FLOAT, h, (long) h * d);
        for (int i = 0; i < h; i++) e.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i),
                org.nd4j.linalg.indexing.NDArrayIndex.interval((long) i * d, (long) (i + 1) * d)).assign(1);
        return e;
    }

    /**
     * The config's GELU. {@code gelu}: exact, 0.5 · x · (1 + erf(x / √2)). {@code gelu_new} / {@code gelu_pytorch_tanh}:
     * Google BERT's tanh form, 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³))). (SameDiff's own gelu is neither.)
     */
    private SDVariable gelu(SDVariable x) {
        if (cfg.tanhGelu()) {
            SDVariable inner = x.add(x.mul(x).mul(x).mul(0.044715)).mul(Math.sqrt(2.0 / Math.PI));            // same shape as x
            return x.mul(0.5).mul(sd.math().tanh(inner).add(1.0));
        }
        SDVariable erf = sd.math().erf(x.mul(1.0 / Math.sqrt(2.0)));                                          // same shape as x
        return x.mul(0.5).mul(erf.add(1.0));
    }

    /** Training only: multiply by a mask placeholder (already scaled by 1/(1-p)) that the trainer fills. */
    private SDVariable dropout(SDVariable x, String name, int attentionHeads, long... shape) {
        if (!options.training()) return x;
        SDVariable mask = sd.placeHolder(name, DataType.FLOAT, shape);
        dropoutSites.add(new DropoutSite(name, attentionHeads,
                attentionHeads > 0 ? cfg.attentionProbsDropoutProb() : cfg.hiddenDropoutProb()));
        return x.mul(mask);
    }

    private SDVariable weight(Map<String, INDArray> w, String name, long... shape) {
        return sd.var(name, require(w, name, shape).castTo(DataType.FLOAT));
    }

    private static INDArray require(Map<String, INDArray> w, String name, long... shape) {
        INDArray a = w.get(name);
        if (a == null) throw new HeadlensException("weights: tensor '" + name + "' is missing");
        if (!Arrays.equals(a.shape(), shape))
            throw new HeadlensException("weights: tensor '" + name + "' has shape " + Arrays.toString(a.shape())
                    + ", config expects " + Arrays.toString(shape));
        return a;
    }

    /** A dropout site on a [N, H] tensor for heads built on top (e.g. before a token classifier). */
    public SDVariable hiddenDropout(SDVariable x, String name) {
        return dropout(x, name, 0, -1, cfg.hiddenSize());
    }

    // ------------------------------------------------------------------------------------------------ inputs

    /** A padded batch: ids [B][T] and mask [B][T] (1 = token, 0 = padding). */
    public record Batch(int[][] ids, int[][] mask) {
        public int size() { return ids.length; }
        public int length() { return ids.length == 0 ? 0 : ids[0].length; }

        /** Right-pads sequences to the longest one. */
        public static Batch pad(List<int[]> seqs, int padId) {
            int t = seqs.stream().mapToInt(s -> s.length).max().orElse(0);
            int[][] ids = new int[seqs.size()][t], mask = new int[seqs.size()][t];
            for (int i = 0; i < seqs.size(); i++) {
                Arrays.fill(ids[i], padId);
                int[] s = seqs.get(i);
                System.arraycopy(s, 0, ids[i], 0, s.length);
                Arrays.fill(mask[i], 0, s.length, 1);
            }
            return new Batch(ids, mask);
        }
    }

    /**
     * The placeholder values for a batch. Positions follow HuggingFace: BERT counts 0..T-1; XLM-R counts
     * {@code pad + 1 + cumsum(non-pad)} and puts pads at {@code pad}.
     */
    public Map<String, INDArray> feed(Batch batch) {
        return feed(batch, false);
    }

    /**
     * As {@link #feed(Batch)}; a training graph also gets its dropout masks: drawn from ND4J's RNG (seed it for
     * reproducible runs) and scaled by 1/(1-p) when {@code dropout} is on, all ones when it is off (evaluation).
     */
    public Map<String, INDArray> feed(Batch batch, boolean dropout) {
        Map<String, INDArray> ph = inputs(batch);
        int b = batch.size(), t = batch.length();
        for (DropoutSite site : dropoutSites) {
            long[] shape = site.attentionHeads() > 0 ? new long[]{b, site.attentionHeads(), t, t} : new long[]{(long) b * t, cfg.hiddenSize()};
            INDArray mask;
            if (dropout && site.rate() > 0) {
                double keep = 1 - site.rate();
                mask = ClosingMemoryMgr.uninitialized(DataType.FLOAT, shape);
                Nd4j.getExecutioner().exec(new BernoulliDistribution(mask, keep));
                mask.divi(keep);
            } else {
                mask = Nd4j.ones(DataType.FLOAT, shape);
            }
            ph.put(site.name(), mask);
        }
        return ph;
    }

    private Map<String, INDArray> inputs(Batch batch) {
        int b = batch.size(), t = batch.length(), n = b * t;
        if (t > cfg.maxPositionEmbeddings() - (cfg.isXlmRoberta() ? cfg.padTokenId() + 1 : 0))
            throw new HeadlensException("batch length " + t + " exceeds max_position_embeddings " + cfg.maxPositionEmbeddings());
        long[] flatIds = new long[n];
        float[] pos = new float[n * cfg.maxPositionEmbeddings()];
        float[] type = new float[n * cfg.typeVocabSize()];
        float[] bias = new float[b * t];
        for (int i = 0; i < b; i++) {
            int running = 0;
            for (int j = 0; j < t; j++) {
                int id = batch.ids()[i][j];
                if (id < 0 || id >= cfg.vocabSize())
                    throw new HeadlensException("token id " + id + " at batch row " + i + ", position " + j + " is outside the vocabulary (" + cfg.vocabSize() + ")");
                int r = i * t + j;
                flatIds[r] = id;
                boolean token = batch.mask()[i][j] != 0;
                int position;
                if (cfg.isXlmRoberta()) {
                    boolean nonPad = id != cfg.padTokenId();
                    if (nonPad) running++;
                    position = nonPad ? cfg.padTokenId() + running : cfg.padTokenId();
                } else {
                    position = j;
                }
                pos[r * cfg.maxPositionEmbeddings() + position] = 1f;
                type[r * cfg.typeVocabSize()] = 1f;      // single segment: token type 0
                bias[i * t + j] = token ? 0f : MASKED;
            }
        }
        Map<String, INDArray> ph = new HashMap<>();
        ph.put(INPUTS_EMBEDS, wordTable.getRows(toInts(flatIds)).castTo(DataType.FLOAT));                      // [N, H]
        ph.put(POSITION_ONEHOT, Nd4j.create(pos, new long[]{n, cfg.maxPositionEmbeddings()}, 'c'));           // [N, P]
        ph.put(TOKEN_TYPE_ONEHOT, Nd4j.create(type, new long[]{n, cfg.typeVocabSize()}, 'c'));                // [N, TV]
        ph.put(ATTENTION_BIAS, Nd4j.create(bias, new long[]{b, 1, 1, t}, 'c'));                               // [B, 1, 1, T]
        ph.put(BATCH_SHAPE, Nd4j.createFromArray((long) b, t));                                                // [2]
        ph.put(ONES, Nd4j.ones(DataType.FLOAT, n, 1));                                                         // [N, 1]
        if (options.training()) sd.getVariable(WORD_DELTA).setArray(Nd4j.zeros(DataType.FLOAT, n, cfg.hiddenSize()));
        return ph;
    }

    private static int[] toInts(long[] a) {
        int[] r = new int[a.length];
        for (int i = 0; i < a.length; i++) r[i] = (int) a[i];
        return r;
    }

    // ------------------------------------------------------------------------------------------------ running

    /** Hidden states [B, T, H] and, when built with attentions, every layer's probabilities [B, h, T, T]. */
    public record Output(INDArray hidden, List<INDArray> attentions) {}

    public Output forward(Batch batch) {
        if (options.training()) throw new IllegalStateException("forward() is for inference graphs; feed dropout masks through sd()");
        List<String> outs = new ArrayList<>();
        outs.add(LAST_HIDDEN);
        outs.addAll(attentionNames);
        Map<String, INDArray> in = feed(batch);
        Map<String, INDArray> r = sd.output(in, outs);
        in.values().forEach(ClosingMemoryMgr::recycle);                   // reuse native memory now, not at the next GC
        INDArray hidden = r.get(LAST_HIDDEN).reshape(batch.size(), batch.length(), cfg.hiddenSize());       // [B, T, H]
        List<INDArray> att = new ArrayList<>();
        for (String a : attentionNames) att.add(r.get(a));                                                    // [B, h, T, T]
        return new Output(hidden, att);
    }

    // ------------------------------------------------------------------------------------------------ gates

    /** Current gates, [layer][head] over the heads each layer has (after physical pruning). */
    public float[][] gates() {
        INDArray g = sd.getVariable(HEAD_GATES).getArr();
        float[][] r = new float[cfg.numHiddenLayers()][];
        for (int l = 0; l < r.length; l++) {
            r[l] = new float[cfg.headsInLayer(l)];
            for (int h = 0; h < r[l].length; h++) r[l][h] = g.getFloat(l, h);
        }
        return r;
    }

    public void setGate(int layer, int head, float value) {
        if (layer < 0 || layer >= cfg.numHiddenLayers() || head < 0 || head >= cfg.headsInLayer(layer))
            throw new HeadlensException("no head " + layer + ":" + head + " (layers " + cfg.numHiddenLayers()
                    + ", heads in that layer " + (layer >= 0 && layer < cfg.numHiddenLayers() ? cfg.headsInLayer(layer) : 0) + ")");
        sd.getVariable(HEAD_GATES).getArr().putScalar(layer, head, value);
    }

    public void setGates(float[][] gates) {
        for (int l = 0; l < gates.length; l++)
            for (int h = 0; h < gates[l].length; h++) setGate(l, h, gates[l][h]);
    }

    // ------------------------------------------------------------------------------------------------ access

    public EncoderConfig config() { return cfg; }

    public Options options() { return options; }

    /** The graph, for heads built on top ({@link #lastHidden()}) and for gradients. */
    public SameDiff sd() { return sd; }

    public SDVariable lastHidden() { return lastHidden; }

    /** The word-embedding table [vocab, H] (outside the graph; updated in place by the trainer). */
    public INDArray wordTable() { return wordTable; }

    /** Dropout-mask placeholders (training graphs). */
    public List<DropoutSite> dropoutSites() { return List.copyOf(dropoutSites); }

    public List<String> attentionNames() { return List.copyOf(attentionNames); }

    /** Every trainable weight: the graph's variables (gates and delta excluded) plus the word table. */
    public Map<String, INDArray> weights() {
        Map<String, INDArray> m = new LinkedHashMap<>();
        m.put(WORD_EMBEDDINGS, wordTable);
        for (SDVariable v : sd.variables()) {
            if (v.getVariableType() == org.nd4j.autodiff.samediff.VariableType.VARIABLE
                    && !v.name().equals(HEAD_GATES) && !v.name().equals(WORD_DELTA)) {
                m.put(v.name(), v.getArr());
            }
        }
        return m;
    }
}
