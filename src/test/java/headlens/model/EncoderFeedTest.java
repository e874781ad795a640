package headlens.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import headlens.config.EncoderConfig;
import headlens.core.HeadlensException;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The placeholders for a batch, against positions, masks and rows worked out by hand. */
class EncoderFeedTest {

    static EncoderConfig config(String type) {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("model_type", type).put("vocab_size", 20).put("hidden_size", 8).put("num_hidden_layers", 1)
                .put("num_attention_heads", 2).put("intermediate_size", 16).put("max_position_embeddings", 12)
                .put("hidden_dropout_prob", 0.25).put("attention_probs_dropout_prob", 0.5);
        return EncoderConfig.fromJson(o, "test");
    }

    static Encoder encoder(String type, Encoder.Options options) {
        EncoderConfig cfg = config(type);
        return Encoder.create(cfg, RandomInit.weights(cfg, 1), options);
    }

    /** ids [B][T] with the mask 1 where the id is not the pad id (1 for XLM-R, 0 for BERT). */
    static final int[][] XLMR_IDS = {{0, 5, 6, 2}, {0, 7, 2, 1}};
    static final int[][] MASK = {{1, 1, 1, 1}, {1, 1, 1, 0}};

    private static int[] argmaxRows(INDArray oneHot) {
        int[] r = new int[(int) oneHot.rows()];
        for (int i = 0; i < r.length; i++) {
            assertEquals(1.0, oneHot.getRow(i).sumNumber().doubleValue(), "row " + i + " is one-hot");
            r[i] = oneHot.getRow(i).argMax().getInt(0);
        }
        return r;
    }

    @Test
    void xlmrPositionsStartAfterThePadIdAndPadsSitOnIt() {
        Encoder enc = encoder("xlm-roberta", Encoder.Options.INFERENCE);
        Map<String, INDArray> ph = enc.feed(new Encoder.Batch(XLMR_IDS, MASK));
        // pad id 1: positions 2, 3, 4, ... for tokens, 1 for the pad (HuggingFace create_position_ids_from_input_ids)
        assertArrayEquals(new int[]{2, 3, 4, 5, 2, 3, 4, 1}, argmaxRows(ph.get(Encoder.POSITION_ONEHOT)));
        assertArrayEquals(new int[]{0, 0, 0, 0, 0, 0, 0, 0}, argmaxRows(ph.get(Encoder.TOKEN_TYPE_ONEHOT)));
        int r = 0;
        for (int[] row : XLMR_IDS)
            for (int id : row) assertEquals(enc.wordTable().getRow(id), ph.get(Encoder.INPUTS_EMBEDS).getRow(r++));
        assertEquals(Nd4j.create(new float[]{0, 0, 0, 0, 0, 0, 0, -1e9f}, new long[]{2, 1, 1, 4}, 'c'), ph.get(Encoder.ATTENTION_BIAS));
        assertEquals(Nd4j.createFromArray(2L, 4L), ph.get(Encoder.BATCH_SHAPE));
        assertEquals(Nd4j.ones(DataType.FLOAT, 8, 1), ph.get(Encoder.ONES));
        assertEquals(6, ph.size(), "an inference graph has no dropout masks: " + ph.keySet());
    }

    @Test
    void bertPositionsCountFromZeroOnEveryRow() {
        Encoder enc = encoder("bert", Encoder.Options.INFERENCE);
        Map<String, INDArray> ph = enc.feed(Encoder.Batch.pad(List.of(new int[]{2, 9, 3}, new int[]{2, 3}), 0));
        assertArrayEquals(new int[]{0, 1, 2, 0, 1, 2}, argmaxRows(ph.get(Encoder.POSITION_ONEHOT)));
        assertEquals(2, ph.get(Encoder.TOKEN_TYPE_ONEHOT).columns(), "BERT's two token types, type 0 used");
        assertArrayEquals(new int[]{0, 0, 0, 0, 0, 0}, argmaxRows(ph.get(Encoder.TOKEN_TYPE_ONEHOT)));
        assertEquals(-1e9f, ph.get(Encoder.ATTENTION_BIAS).getFloat(1, 0, 0, 2));
    }

    @Test
    void trainingFeedsMasksForEverySiteAndResizesTheWordDelta() {
        Encoder enc = encoder("xlm-roberta", Encoder.Options.TRAINING);
        Encoder.Batch batch = new Encoder.Batch(XLMR_IDS, MASK);
        assertEquals(List.of("embeddings.dropout", "encoder.layer.0.attention.self.dropout",
                        "encoder.layer.0.attention.output.dropout", "encoder.layer.0.output.dropout"),
                enc.dropoutSites().stream().map(Encoder.DropoutSite::name).toList());
        Map<String, INDArray> off = enc.feed(batch, false);
        for (Encoder.DropoutSite s : enc.dropoutSites()) {
            long[] shape = s.attentionHeads() > 0 ? new long[]{2, 2, 4, 4} : new long[]{8, 8};
            assertEquals(Nd4j.ones(DataType.FLOAT, shape), off.get(s.name()), s.name() + " without dropout");
        }
        assertEquals(Nd4j.zeros(DataType.FLOAT, 8, 8), enc.sd().getVariable(Encoder.WORD_DELTA).getArr());

        Nd4j.getRandom().setSeed(5);
        Map<String, INDArray> on = enc.feed(batch, true);
        for (Encoder.DropoutSite s : enc.dropoutSites()) {
            double p = s.attentionHeads() > 0 ? 0.5 : 0.25, kept = 0;
            INDArray m = on.get(s.name());
            for (double v : m.data().asDouble()) {
                if (v != 0) {
                    assertEquals(1 / (1 - p), v, 1e-6, s.name() + ": kept entries are scaled by 1/(1-p)");
                    kept++;
                }
            }
            double keep = kept / m.length();
            assertTrue(keep > 1 - p - 0.2 && keep < 1 - p + 0.2, s.name() + " keeps " + keep + " of " + m.length());
        }
    }

    @Test
    void badIdsAndLongBatchesAreNamed() {
        Encoder enc = encoder("xlm-roberta", Encoder.Options.INFERENCE);
        var e = assertThrows(HeadlensException.class, () -> enc.feed(new Encoder.Batch(new int[][]{{0, 20}}, new int[][]{{1, 1}})));
        assertEquals("token id 20 at batch row 0, position 1 is outside the vocabulary (20)", e.getMessage());
        // XLM-R: positions reach pad + T, so 12 positions hold T <= 10
        enc.feed(Encoder.Batch.pad(List.of(new int[10]), 1));
        e = assertThrows(HeadlensException.class, () -> enc.feed(Encoder.Batch.pad(List.of(new int[11]), 1)));
        assertTrue(e.getMessage().contains("batch length 11 exceeds max_position_embeddings 12"), e.getMessage());
    }
}
