package headlens.model;

import headlens.config.EncoderConfig;
import headlens.core.HeadlensException;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A BERT / XLM-R encoder as one SameDiff graph, one method per module of HuggingFace's {@code modeling_bert.py}
 * (embeddings, self-attention, self-output, intermediate, output), in forward order. Variables carry the checkpoint's
 * key names ({@code encoder.layer.3.attention.self.query.weight}); Linear weights keep torch's [out, in] layout.
 *
 * <p>Shapes: B = batch, T = sequence length, N = B·T (dense layers work on [N, hidden]), H = hidden, h = heads in the
 * layer, d = head size, I = intermediate size, P = max positions, TV = token types.
 *
 * <p>The SameDiff 1.0.0-M2.1 work-arounds (one-hot lookups, composed layer norm and GELU, dropout by mask, bias and gate
 * expansions) are in {@link SdOps}; the placeholder values for a batch are built by {@link EncoderFeed}. Two choices
 * follow from them: the word table stays outside the graph (its rows are fed as {@code inputs_embeds}, and in training
 * the zero variable {@code embeddings.word_embeddings.delta} yields d loss / d embeddings, which the trainer
 * scatter-adds into the table); and the head gates are a variable {@code head_gates} [layers, heads] (gradients w.r.t.
 * placeholders fail) that scales the attention probabilities as HuggingFace's {@code head_mask} does.
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

    /** Training adds the dropout-mask placeholders and the word-embedding delta. */
    public record Options(boolean training, boolean attentions) {
        public static final Options INFERENCE = new Options(false, false);
        public static final Options WITH_ATTENTIONS = new Options(false, true);
        public static final Options TRAINING = new Options(true, false);
    }

    /** A dropout mask placeholder: [N, H] after dense layers, [B, h, T, T] on attention probabilities. */
    public record DropoutSite(String name, int attentionHeads, double rate) {}

    private final EncoderConfig cfg;
    private final Options options;
    private final SameDiff sd;
    private final SdOps ops;
    private final INDArray wordTable;               // [vocab, H], outside the graph
    private final SDVariable attentionBias;         // [B, 1, 1, T]
    private final SDVariable batchShape;            // [2]
    private final SDVariable gates;                 // [L, heads]
    private final SDVariable lastHidden;            // [N, H]
    private final List<String> attentionNames = new ArrayList<>();
    private final List<DropoutSite> dropoutSites = new ArrayList<>();
    private Map<String, INDArray> checkpoint;       // only while the graph is built

    static {
        ClosingMemoryMgr.install();
    }

    private Encoder(EncoderConfig cfg, Map<String, INDArray> weights, Options options) {
        this.cfg = cfg;
        this.options = options;
        this.sd = SameDiff.create();
        this.wordTable = require(weights, WORD_EMBEDDINGS, cfg.vocabSize(), cfg.hiddenSize());
        this.checkpoint = weights;
        this.attentionBias = sd.placeHolder(ATTENTION_BIAS, DataType.FLOAT, -1, 1, 1, -1);                            // [B, 1, 1, T]
        this.batchShape = sd.placeHolder(BATCH_SHAPE, DataType.INT64, 2);                                              // [2]
        this.ops = new SdOps(sd);                                                                                       // declares ones [N, 1]
        this.gates = sd.var(HEAD_GATES, Nd4j.ones(DataType.FLOAT, cfg.numHiddenLayers(), cfg.numAttentionHeads()));  // [L, heads]
        // BertModel without pooler: embeddings, then the layers of BertEncoder
        SDVariable x = embeddings();                                                                                   // [N, H]
        for (int l = 0; l < cfg.numHiddenLayers(); l++) x = layer(l, x);                                              // [N, H]
        this.lastHidden = sd.identity(LAST_HIDDEN, x);                                                                 // [N, H]
        this.checkpoint = null;
    }

    /** Builds the graph over the given weights (HuggingFace BertModel key names, no {@code bert.} prefix). */
    public static Encoder create(EncoderConfig cfg, Map<String, INDArray> weights, Options options) {
        return new Encoder(cfg, weights, options);
    }

    // ------------------------------------------------------------------------------------------------ graph

    /** BertEmbeddings: word rows (fed) + position + token type, then LayerNorm and dropout. */
    private SDVariable embeddings() {
        String p = "embeddings.";
        int hidden = cfg.hiddenSize();
        SDVariable inputsEmbeds = sd.placeHolder(INPUTS_EMBEDS, DataType.FLOAT, -1, hidden);                          // [N, H]
        SDVariable positionOneHot = sd.placeHolder(POSITION_ONEHOT, DataType.FLOAT, -1, cfg.maxPositionEmbeddings()); // [N, P]
        SDVariable tokenTypeOneHot = sd.placeHolder(TOKEN_TYPE_ONEHOT, DataType.FLOAT, -1, cfg.typeVocabSize());      // [N, TV]
        SDVariable words = options.training() ? ops.gradientTap(inputsEmbeds, WORD_DELTA, hidden) : inputsEmbeds;  // [N, H]
        SDVariable position = ops.lookup(positionOneHot,
                param(p + "position_embeddings.weight", cfg.maxPositionEmbeddings(), hidden));                     // [N, H]
        SDVariable tokenType = ops.lookup(tokenTypeOneHot,
                param(p + "token_type_embeddings.weight", cfg.typeVocabSize(), hidden));                           // [N, H]
        SDVariable x = words.add(position).add(tokenType);                                                             // [N, H]
        x = layerNorm(x, p + "LayerNorm");                                                                             // [N, H]
        return dropout(x, p + "dropout", 0);                                                                           // [N, H]
    }

    /** BertLayer: attention, then the feed-forward block (intermediate, output). */
    private SDVariable layer(int l, SDVariable x) {
        SDVariable attention = attention(l, x);                                                                        // [N, H]
        return output(l, intermediate(l, attention), attention);                                                       // [N, H]
    }

    /** BertAttention: self-attention, then self-output. */
    private SDVariable attention(int l, SDVariable x) {
        if (cfg.headsInLayer(l) == 0) {
            // every head pruned: the output dense has no inputs, only its bias (as in HuggingFace, which also applies
            // attention.output.dropout to it in training; this graph has no dropout site here)
            String p = prefix(l) + "attention.output.";
            SDVariable dense = ops.rows(param(p + "dense.bias", cfg.hiddenSize()));                                   // [N, H]
            return layerNorm(dense.add(x), p + "LayerNorm");                                                           // [N, H]
        }
        return selfOutput(l, selfAttention(l, x), x);                                                                  // [N, H]
    }

    /** BertSelfAttention: softmax(q·kᵀ/√d + mask) · v per head, the heads gated; the context [N, h·d]. */
    private SDVariable selfAttention(int l, SDVariable x) {
        String p = prefix(l) + "attention.self.";
        int h = cfg.headsInLayer(l), d = cfg.headDim(), hidden = cfg.hiddenSize();
        SDVariable headShape = sd.concat(0, batchShape, sd.constant(Nd4j.createFromArray((long) h, d)));             // [4] = (B, T, h, d)
        // 1/√d is applied to the queries ([N, h·d]) rather than to the scores ([B, h, T, T]): same product, 4× fewer elements
        SDVariable query = linear(x, p + "query", h * d, hidden).mul(1.0 / Math.sqrt(d));                             // [N, h*d]
        SDVariable q = sd.permute(sd.reshape(query, headShape), 0, 2, 1, 3);                                          // [B, h, T, d]
        SDVariable kT = sd.permute(sd.reshape(linear(x, p + "key", h * d, hidden), headShape), 0, 2, 3, 1);          // [B, h, d, T]
        SDVariable v = sd.permute(sd.reshape(linear(x, p + "value", h * d, hidden), headShape), 0, 2, 1, 3);         // [B, h, T, d]
        SDVariable scores = sd.linalg().matmul(q, kT).add(attentionBias);                                             // [B, h, T, T]
        SDVariable probs = sd.nn().softmax(scores, -1);                                                               // [B, h, T, T]
        probs = dropout(probs, p + "dropout", h);                                                                      // [B, h, T, T]
        SDVariable gate = gates.get(SDIndex.point(l), SDIndex.interval(0, h));                                        // [h]
        if (options.attentions()) {
            // gated probabilities, named and on the path (d loss / d probs can be asked for)
            probs = sd.identity(p + "probs", probs.mul(gate.reshape(1, h, 1, 1)));                                    // [B, h, T, T]
            attentionNames.add(probs.name());
            return mergeHeads(sd.linalg().matmul(probs, v), h * d);                                                    // [N, h*d]
        }
        // (g·P)·V = g·(P·V): the gate scales each head's context instead of the probabilities. Same numbers, and it
        // avoids SameDiff's slow broadcast multiply (and its backprop) on [B, h, T, T].
        SDVariable context = mergeHeads(sd.linalg().matmul(probs, v), h * d);                                         // [N, h*d]
        return ops.scaleHeads(context, gate, h, d);                                                                    // [N, h*d]
    }

    /** [B, h, T, d] -> [N, h·d] (HuggingFace's permute + view of the context layer). */
    private SDVariable mergeHeads(SDVariable context, int width) {
        return sd.permute(context, 0, 2, 1, 3).reshape(-1, width);                                                    // [N, h*d]
    }

    /** BertSelfOutput: dense, dropout, LayerNorm with the residual. */
    private SDVariable selfOutput(int l, SDVariable context, SDVariable input) {
        String p = prefix(l) + "attention.output.";
        int hidden = cfg.hiddenSize();
        SDVariable x = linear(context, p + "dense", hidden, cfg.headsInLayer(l) * cfg.headDim());                     // [N, H]
        x = dropout(x, p + "dropout", 0);                                                                              // [N, H]
        return layerNorm(x.add(input), p + "LayerNorm");                                                               // [N, H]
    }

    /** BertIntermediate: dense to the intermediate size, then GELU (erf or tanh form, per {@code hidden_act}). */
    private SDVariable intermediate(int l, SDVariable x) {
        String p = prefix(l) + "intermediate.";
        SDVariable dense = ops.linearWide(x, param(p + "dense.weight", cfg.intermediateSize(), cfg.hiddenSize()),
                param(p + "dense.bias", cfg.intermediateSize()));                                                       // [N, I]
        return cfg.tanhGelu() ? ops.geluTanh(dense) : ops.geluErf(dense);                                              // [N, I]
    }

    /** BertOutput: dense back to hidden, dropout, LayerNorm with the residual. */
    private SDVariable output(int l, SDVariable intermediate, SDVariable input) {
        String p = prefix(l) + "output.";
        SDVariable x = linear(intermediate, p + "dense", cfg.hiddenSize(), cfg.intermediateSize());                   // [N, H]
        x = dropout(x, p + "dropout", 0);                                                                              // [N, H]
        return layerNorm(x.add(input), p + "LayerNorm");                                                               // [N, H]
    }

    private static String prefix(int l) {
        return "encoder.layer." + l + ".";
    }

    /** Layer l's key projection weight [out, in] (the released code's head ranking reads its gradient). */
    public static String keyWeight(int l) { return prefix(l) + "attention.self.key.weight"; }

    /** Layer l's value projection weight [out, in]. */
    public static String valueWeight(int l) { return prefix(l) + "attention.self.value.weight"; }

    /** torch Linear {@code name}: x · Wᵀ + b, W [out, in]. */
    private SDVariable linear(SDVariable x, String name, int out, int in) {
        return ops.linear(x, param(name + ".weight", out, in), param(name + ".bias", out));                           // [N, out]
    }

    /** LayerNorm {@code name} over the hidden axis, with the config's epsilon. */
    private SDVariable layerNorm(SDVariable x, String name) {
        int hidden = cfg.hiddenSize();
        return ops.layerNorm(x, param(name + ".weight", hidden), param(name + ".bias", hidden), cfg.layerNormEps());  // [N, H]
    }

    /**
     * Dropout {@code name} in training graphs (identity otherwise): on attention probabilities [B, h, T, T] when
     * {@code attentionHeads} > 0, else on [N, H]. Registers the site whose mask the feed draws.
     */
    private SDVariable dropout(SDVariable x, String name, int attentionHeads) {
        if (!options.training()) return x;
        boolean probs = attentionHeads > 0;
        dropoutSites.add(new DropoutSite(name, attentionHeads, probs ? cfg.attentionProbsDropoutProb() : cfg.hiddenDropoutProb()));
        return ops.dropout(x, name, probs ? new long[]{-1, attentionHeads, -1, -1} : new long[]{-1, cfg.hiddenSize()});  // like x
    }

    /** A dropout site on a [N, H] tensor for heads built on top (e.g. before a token classifier). */
    public SDVariable hiddenDropout(SDVariable x, String name) {
        return dropout(x, name, 0);                                                                                    // [N, H]
    }

    /** The checkpoint tensor {@code name} as a float graph variable, its shape checked. */
    private SDVariable param(String name, long... shape) {
        return sd.var(name, require(checkpoint, name, shape).castTo(DataType.FLOAT));
    }

    private static INDArray require(Map<String, INDArray> w, String name, long... shape) {
        INDArray a = w.get(name);
        if (a == null) throw new HeadlensException("weights: tensor '" + name + "' is missing");
        if (!Arrays.equals(a.shape(), shape))
            throw new HeadlensException("weights: tensor '" + name + "' has shape " + Arrays.toString(a.shape())
                    + ", config expects " + Arrays.toString(shape));
        return a;
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

    /** The placeholder values for a batch (built by {@link EncoderFeed}; positions counted as HuggingFace does). */
    public Map<String, INDArray> feed(Batch batch) {
        return feed(batch, false);
    }

    /**
     * As {@link #feed(Batch)}; a training graph also gets its dropout masks: drawn from ND4J's RNG (seed it for
     * reproducible runs) and scaled by 1/(1-p) when {@code dropout} is on, all ones when it is off (evaluation).
     */
    public Map<String, INDArray> feed(Batch batch, boolean dropout) {
        return EncoderFeed.feed(this, batch, dropout);
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
        INDArray g = gates.getArr();
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
        gates.getArr().putScalar(layer, head, value);
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
