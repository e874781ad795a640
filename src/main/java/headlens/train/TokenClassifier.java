package headlens.train;

import headlens.cli.HeadlensException;
import headlens.model.Encoder;
import headlens.model.EncoderConfig;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
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
        SDVariable nll = sd.nn().logSoftmax(logits, 1).mul(onehot).sum(1).neg();                                // [N]
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
        return new TokenClassifier(Encoder.create(cfg, weights, options), weights, numLabels, seed);
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

    /** Logits [B, T, C] without dropout. */
    public INDArray logits(Encoder.Batch batch) {
        INDArray l = encoder.sd().output(feed(batch, null, false), LOGITS).get(LOGITS);
        return l.reshape(batch.size(), batch.length(), numLabels);
    }

    public Encoder encoder() { return encoder; }

    public SameDiff sd() { return encoder.sd(); }

    public int numLabels() { return numLabels; }
}
