package headlens.train;

import headlens.config.EncoderConfig;
import headlens.core.HeadlensException;
import headlens.data.Batch;
import headlens.model.ClosingMemoryMgr;
import headlens.model.Encoder;
import headlens.model.Encoder;
import headlens.model.Gradients;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import org.nd4j.autodiff.samediff.api.OutAndGrad;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Encoder + dropout + linear layer + masked softmax cross-entropy: HuggingFace's
 * {@code BertForTokenClassification} without a CRF. Positions labelled {@link #IGNORE} (-100: special tokens,
 * non-first sub-tokens, padding) do not count; the loss is the mean over the counted positions.
 */
public final class TokenClassifier {
    public static final int IGNORE = -100;
    public static final String LOGITS = "logits";               // [N, C]
    public static final String LOSS = "loss";                   // scalar
    public static final String LABELS = "labels_onehot";        // [N, C] placeholder
    public static final String LABEL_WEIGHTS = "label_weights"; // [N] placeholder: 1 where counted
    public static final String WEIGHT = "classifier.weight";    // [C, H]
    public static final String BIAS = "classifier.bias";        // [C]

    private final Encoder encoder;
    private final int numLabels;

    private TokenClassifier(Encoder encoder, Map<String, INDArray> weights, int numLabels, long seed) {
        this.encoder = encoder;
        this.numLabels = numLabels;
        int hidden = encoder.config().hiddenSize();
        SameDiff sd = encoder.sd();
        INDArray w = weights.get(WEIGHT), b = weights.get(BIAS);
        if (w == null) { // HuggingFace init: N(0, initializer_range = 0.02), zero bias
            w = Nd4j.getRandomFactory().getNewRandomInstance(seed).nextGaussian(new long[]{numLabels, hidden}).muli(0.02).castTo(DataType.FLOAT);
            b = Nd4j.zeros(DataType.FLOAT, numLabels);
        }
        if (!Arrays.equals(w.shape(), new long[]{numLabels, hidden}) || b == null || !Arrays.equals(b.shape(), new long[]{numLabels}))
            throw new HeadlensException("weights: '" + WEIGHT + "' " + Arrays.toString(w.shape()) + " / '" + BIAS + "' do not fit "
                    + numLabels + " labels × hidden " + hidden);
        SDVariable h = encoder.hiddenDropout(encoder.lastHidden(), "classifier.dropout");                       // [N, H]
        SDVariable logits = sd.mmul(h, sd.var(WEIGHT, w.castTo(DataType.FLOAT)), false, true, false)
                .add(sd.var(BIAS, b.castTo(DataType.FLOAT))).rename(LOGITS);                                    // [N, C]
        SDVariable onehot = sd.placeHolder(LABELS, DataType.FLOAT, -1, numLabels);                              // [N, C]
        SDVariable counted = sd.placeHolder(LABEL_WEIGHTS, DataType.FLOAT, -1);                                 // [N]
        // log-softmax composed by hand: SameDiff's LogSoftMax fails to clone when the gradient graph is built
        SDVariable shift = logits.max(true, 1);                                                                 // [N, 1]
        SDVariable z = logits.sub(shift);                                                                       // [N, C]
        SDVariable logProbs = z.sub(sd.math().log(sd.math().exp(z).sum(true, 1)));                             // [N, C]
        SDVariable nll = logProbs.mul(onehot).sum(1).neg();                                                     // [N]
        SDVariable count = sd.math().max(counted.sum(), sd.constant(Nd4j.scalar(1f)));                          // scalar
        SDVariable loss = nll.mul(counted).sum().div(count).rename(LOSS);                                       // scalar
        sd.setLossVariables(loss);
    }

    /**
     * @param weights encoder weights (HuggingFace names) and, for a fine-tuned model, {@code classifier.weight/bias};
     *                without them the classifier starts from HuggingFace's initialisation, seeded
     */
    public static TokenClassifier create(EncoderConfig cfg, Map<String, INDArray> weights, int numLabels,
                                         Encoder.Options options, long seed) {
        Map<String, INDArray> w = new LinkedHashMap<>(weights);
        INDArray table = w.get(Encoder.WORD_EMBEDDINGS);   // the trainer updates the table in place: float32, contiguous
        if (table != null) w.put(Encoder.WORD_EMBEDDINGS, contiguous(table));
        return new TokenClassifier(Encoder.create(cfg, w, options), w, numLabels, seed);
    }

    /** Placeholders for a batch with labels [B][T] ({@link #IGNORE} where not counted). */
    public Map<String, INDArray> feed(Encoder.Batch batch, int[][] labels, boolean dropout) {
        Map<String, INDArray> ph = encoder.feed(batch, dropout);
        int b = batch.size(), t = batch.length();
        float[] onehot = new float[b * t * numLabels];
        float[] counted = new float[b * t];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) {
                int y = labels == null ? IGNORE : labels[i][j];
                if (y == IGNORE) continue;
                if (y < 0 || y >= numLabels) throw new HeadlensException("label id " + y + " outside 0.." + (numLabels - 1));
                onehot[(i * t + j) * numLabels + y] = 1f;
                counted[i * t + j] = 1f;
            }
        }
        ph.put(LABELS, Nd4j.create(onehot, new long[]{(long) b * t, numLabels}, 'c'));
        ph.put(LABEL_WEIGHTS, Nd4j.create(counted, new long[]{(long) b * t}, 'c'));
        return ph;
    }

    /** Loss and gradients of one batch, keyed by weight name (the word table's included, dense). */
    public record Step(double loss, Map<String, INDArray> gradients, int labelled) {}

    /**
     * The names of the weights that train: every graph variable except the head gates and the delta, plus the word table.
     * {@code frozenEmbeddings} keeps every {@code embeddings.*} weight fixed; {@code frozenLayers} the first that many layers.
     */
    public List<String> trainableNames(boolean frozenEmbeddings, int frozenLayers) {
        List<String> names = new ArrayList<>();
        for (String n : encoder.weights().keySet()) {
            if (frozenEmbeddings && n.startsWith("embeddings.")) continue;
            if (n.startsWith("encoder.layer.")) {
                int l = Integer.parseInt(n.substring("encoder.layer.".length(), n.indexOf('.', "encoder.layer.".length())));
                if (l < frozenLayers) continue;
            }
            names.add(n);
        }
        return names;
    }

    /**
     * d loss / d weights for a batch. The word table's gradient comes from the delta variable: row r of d loss / d delta
     * is added to table row ids[r], except for the pad id (HuggingFace's {@code padding_idx} keeps that row's gradient 0).
     * The returned table gradient is a buffer reused by the next call.
     */
    public Step lossAndGradients(Encoder.Batch batch, int[][] labels, boolean dropout, Collection<String> trainable) {
        if (!encoder.options().training()) throw new IllegalStateException("gradients need a graph built with Options.TRAINING");
        SameDiff sd = encoder.sd();
        Map<String, INDArray> ph = feed(batch, labels, dropout);
        boolean table = trainable.contains(Encoder.WORD_EMBEDDINGS);
        List<String> wanted = new ArrayList<>();
        for (String n : trainable) if (!n.equals(Encoder.WORD_EMBEDDINGS)) wanted.add(n);
        if (table) wanted.add(Encoder.WORD_DELTA);
        OutAndGrad og = Gradients.calculate(sd, ph, List.of(LOSS), wanted);
        Map<String, INDArray> grads = new LinkedHashMap<>();
        if (table) grads.put(Encoder.WORD_EMBEDDINGS, scatterWordGradient(batch, og.getGradients().get(Encoder.WORD_DELTA)));
        for (String n : wanted) if (!n.equals(Encoder.WORD_DELTA)) grads.put(n, contiguous(og.getGradients().get(n)));
        int labelled = 0;
        for (float c : ph.get(LABEL_WEIGHTS).toFloatVector()) labelled += c != 0 ? 1 : 0;
        double loss = og.getOutputs().get(LOSS).getDouble(0);
        // Free native memory now: ND4J releases it only when JavaCPP nears maxbytes, so per-step arrays pile up otherwise.
        og.getOutputs().values().forEach(TokenClassifier::close);
        ph.values().forEach(TokenClassifier::close);
        if (table) close(og.getGradients().get(Encoder.WORD_DELTA));
        for (var e : og.getGradients().entrySet())             // gradients dup'ed by contiguous() are copies
            if (!e.getKey().equals(Encoder.WORD_DELTA) && grads.get(e.getKey()) != e.getValue()) close(e.getValue());
        return new Step(loss, grads, labelled);
    }

    /** Frees a step's gradient arrays (call after the update); the word-table gradient buffer is kept for reuse. */
    public void release(Step step) {
        for (INDArray g : step.gradients().values()) if (g != tableGrad) close(g);
    }

    private static void close(INDArray a) {
        ClosingMemoryMgr.recycle(a);                        // back to the session pool: the next step reuses it
    }

    private INDArray tableGrad;      // [vocab, H] reused; only rows in lastRows are non-zero
    private int[] lastRows = new int[0];

    private INDArray scatterWordGradient(Encoder.Batch batch, INDArray deltaGrad) {
        INDArray table = encoder.wordTable();
        int hidden = encoder.config().hiddenSize(), pad = encoder.config().padTokenId();
        if (tableGrad == null) tableGrad = Nd4j.zeros(DataType.FLOAT, table.shape());
        FloatBuffer g = AdamW.floats(tableGrad);
        for (int row : lastRows) for (int j = 0; j < hidden; j++) g.put(row * hidden + j, 0f);
        FloatBuffer d = AdamW.floats(contiguous(deltaGrad));
        int b = batch.size(), t = batch.length();
        int[] rows = new int[b * t];
        int used = 0;
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) {
                int id = batch.ids()[i][j], r = i * t + j;
                if (id == pad) continue;
                rows[used++] = id;
                int base = id * hidden, src = r * hidden;
                for (int k = 0; k < hidden; k++) g.put(base + k, g.get(base + k) + d.get(src + k));
            }
        }
        lastRows = Arrays.copyOf(rows, used);
        return tableGrad;
    }

    private static INDArray contiguous(INDArray a) {
        INDArray f = a.dataType() == DataType.FLOAT ? a : a.castTo(DataType.FLOAT);
        return f.isView() || f.ordering() != 'c' || f.data().length() != f.length() ? f.dup('c') : f;
    }

    /**
     * The encoder input of a padded batch of windows (ids and attention mask; its labels go to {@link #feed} and
     * {@link #lossAndGradients} beside it): the one conversion from {@code data.Batch} to {@code Encoder.Batch}.
     */
    public static Encoder.Batch input(Batch b) {
        return new Encoder.Batch(b.inputIds(), b.attentionMask());
    }

    /** Logits [B, T, C] without dropout. */
    public INDArray logits(Encoder.Batch batch) {
        Map<String, INDArray> ph = feed(batch, null, false);
        INDArray l = encoder.sd().output(ph, LOGITS).get(LOGITS);
        ph.values().forEach(TokenClassifier::close);
        return l.reshape(batch.size(), batch.length(), numLabels);
    }

    /** Most likely label id per position [B][T] (padding included; callers keep what they need). */
    public int[][] predict(Encoder.Batch batch) {
        INDArray logits = logits(batch);
        float[] l = logits.dup('c').data().asFloat();
        close(logits);
        int b = batch.size(), t = batch.length();
        int[][] out = new int[b][t];
        for (int r = 0; r < b * t; r++) {
            int best = 0;
            for (int c = 1; c < numLabels; c++) if (l[r * numLabels + c] > l[r * numLabels + best]) best = c;
            out[r / t][r % t] = best;
        }
        return out;
    }

    public Encoder encoder() { return encoder; }

    public SameDiff sd() { return encoder.sd(); }

    public int numLabels() { return numLabels; }
}
