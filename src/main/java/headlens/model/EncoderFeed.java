package headlens.model;

import headlens.config.EncoderConfig;
import headlens.core.HeadlensException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.random.impl.BernoulliDistribution;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.Map;

/**
 * The placeholder values of an {@link Encoder} graph for one padded batch: the word rows gathered in Java (the table
 * stays outside the graph), position and token-type one-hots, the additive attention mask, the batch shape and the
 * ones column, and for training graphs the dropout masks and the resized word-embedding delta.
 *
 * <p>Positions follow HuggingFace: BERT counts 0..T-1; XLM-R counts {@code pad + 1 + cumsum(non-pad)} and puts pads at
 * {@code pad}.
 */
final class EncoderFeed {
    private static final float MASKED = -1e9f;   // attention bias on padding keys

    private EncoderFeed() {}

    /** See {@link Encoder#feed(Encoder.Batch, boolean)}. */
    static Map<String, INDArray> feed(Encoder enc, Encoder.Batch batch, boolean dropout) {
        Map<String, INDArray> ph = inputs(enc, batch);
        int b = batch.size(), t = batch.length();
        for (Encoder.DropoutSite site : enc.dropoutSites()) ph.put(site.name(), dropoutMask(site, b, t, enc.config().hiddenSize(), dropout));
        return ph;
    }

    private static Map<String, INDArray> inputs(Encoder enc, Encoder.Batch batch) {
        EncoderConfig cfg = enc.config();
        int b = batch.size(), t = batch.length(), n = b * t;
        if (t > cfg.maxPositionEmbeddings() - (cfg.isXlmRoberta() ? cfg.padTokenId() + 1 : 0))
            throw new HeadlensException("batch length " + t + " exceeds max_position_embeddings " + cfg.maxPositionEmbeddings());
        int[] flatIds = new int[n];
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
        ph.put(Encoder.INPUTS_EMBEDS, enc.wordTable().getRows(flatIds).castTo(DataType.FLOAT));                         // [N, H]
        ph.put(Encoder.POSITION_ONEHOT, Nd4j.create(pos, new long[]{n, cfg.maxPositionEmbeddings()}, 'c'));          // [N, P]
        ph.put(Encoder.TOKEN_TYPE_ONEHOT, Nd4j.create(type, new long[]{n, cfg.typeVocabSize()}, 'c'));               // [N, TV]
        ph.put(Encoder.ATTENTION_BIAS, Nd4j.create(bias, new long[]{b, 1, 1, t}, 'c'));                              // [B, 1, 1, T]
        ph.put(Encoder.BATCH_SHAPE, Nd4j.createFromArray((long) b, t));                                               // [2]
        ph.put(Encoder.ONES, Nd4j.ones(DataType.FLOAT, n, 1));                                                        // [N, 1]
        if (enc.options().training())
            enc.sd().getVariable(Encoder.WORD_DELTA).setArray(Nd4j.zeros(DataType.FLOAT, n, cfg.hiddenSize()));     // [N, H]
        return ph;
    }

    /** A site's mask, [N, H] or [B, h, T, T], as {@link Encoder#feed(Encoder.Batch, boolean)} describes it. */
    private static INDArray dropoutMask(Encoder.DropoutSite site, int b, int t, int hidden, boolean dropout) {
        long[] shape = site.attentionHeads() > 0 ? new long[]{b, site.attentionHeads(), t, t} : new long[]{(long) b * t, hidden};
        if (!dropout || site.rate() <= 0) return Nd4j.ones(DataType.FLOAT, shape);
        double keep = 1 - site.rate();
        INDArray mask = ClosingMemoryMgr.uninitialized(DataType.FLOAT, shape);
        Nd4j.getExecutioner().exec(new BernoulliDistribution(mask, keep));
        mask.divi(keep);
        return mask;
    }
}
