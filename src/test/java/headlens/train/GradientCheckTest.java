package headlens.train;

import headlens.config.EncoderConfig;
import headlens.io.Npz;
import headlens.model.Encoder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Analytic gradients of the token classifier against central finite differences of the loss on the tiny XLM-R
 * checkpoint (random weights, padded batch, pad id 1). The word table's gradient is the delta-variable's gradient
 * scattered in Java; finite differences perturb the table itself, so they check that path end to end.
 */
class GradientCheckTest {
    static final Path DIR = Path.of("src/test/resources/golden/tiny-xlmr");
    static final int LABELS = 5;
    static EncoderConfig cfg;
    static Map<String, INDArray> weights;
    static Encoder.Batch batch;
    static int[][] labels;

    @BeforeAll
    static void load() {
        cfg = EncoderConfig.read(DIR.resolve("config.json"));
        weights = Npz.read(DIR.resolve("weights.npz"));
        Map<String, INDArray> in = Npz.read(DIR.resolve("inputs.npz"));
        batch = new Encoder.Batch(in.get("input_ids").toIntMatrix(), in.get("attention_mask").toIntMatrix());
        Random r = new Random(3);
        labels = new int[batch.size()][batch.length()];
        for (int i = 0; i < batch.size(); i++)
            for (int j = 0; j < batch.length(); j++)   // padding and the first token of each row are not counted
                labels[i][j] = batch.mask()[i][j] == 0 || j == 0 ? TokenClassifier.IGNORE : r.nextInt(LABELS);
    }

    static double loss(TokenClassifier tc) {
        return tc.sd().output(tc.feed(batch, labels, false), TokenClassifier.LOSS).get(TokenClassifier.LOSS).getDouble(0);
    }

    /** Central difference of the loss in one element of a weight (changed in place, then restored). */
    static double fd(TokenClassifier tc, INDArray w, long index, double eps) {
        double x = w.getDouble(index);
        w.putScalar(index, x + eps);
        double up = loss(tc);
        w.putScalar(index, x - eps);
        double down = loss(tc);
        w.putScalar(index, x);
        return (up - down) / (2 * eps);
    }

    /**
     * 2% relative, plus an absolute floor for float32 noise: the loss (~1.6) is float32, so each central difference
     * with eps 1e-2 carries about 1e-7 · 1.6 / 2e-2 ≈ 1e-5 of rounding.
     */
    static String compare(String what, double analytic, double numeric) {
        return Math.abs(analytic - numeric) > 2e-2 * Math.abs(numeric) + 3e-5
                ? what + ": analytic " + analytic + " vs finite difference " + numeric : null;
    }

    @Test
    void wordEmbeddingGradientMatchesFiniteDifferences() {
        TokenClassifier tc = TokenClassifier.create(cfg, weights, LABELS, Encoder.Options.TRAINING, 11);
        TokenClassifier.Step step = tc.lossAndGradients(batch, labels, false, List.of(Encoder.WORD_EMBEDDINGS));
        assertEquals(loss(tc), step.loss(), 1e-6, "loss from the gradient pass equals the forward loss");
        INDArray g = step.gradients().get(Encoder.WORD_EMBEDDINGS).dup();
        INDArray table = tc.encoder().wordTable();
        int hidden = cfg.hiddenSize();

        Set<Integer> used = new HashSet<>();
        Map<Integer, Integer> counts = new java.util.HashMap<>();
        for (int[] row : batch.ids()) for (int id : row) { used.add(id); counts.merge(id, 1, Integer::sum); }
        assertTrue(used.contains(cfg.padTokenId()), "fixture has padding");
        int repeated = counts.entrySet().stream().filter(e -> e.getKey() != cfg.padTokenId() && e.getValue() > 1)
                .map(Map.Entry::getKey).findFirst().orElseThrow(() -> new AssertionError("fixture needs a repeated token"));

        List<String> bad = new ArrayList<>();
        Random r = new Random(5);
        List<Integer> rows = new ArrayList<>(used);
        rows.remove(Integer.valueOf(cfg.padTokenId()));
        rows.sort(null);
        int checked = 0, significant = 0;
        for (int id : rows) {                       // every used row, two columns each (one of them the largest)
            int big = 0;
            for (int k = 1; k < hidden; k++) if (Math.abs(g.getDouble(id, k)) > Math.abs(g.getDouble(id, big))) big = k;
            for (int col : new int[]{big, r.nextInt(hidden)}) {
                double numeric = fd(tc, table, (long) id * hidden + col, 1e-2);
                String e = compare("row " + id + " col " + col, g.getDouble(id, col), numeric);
                if (e != null) bad.add(e);
                checked++;
                if (Math.abs(numeric) > 3e-4) significant++;
            }
        }
        assertTrue(significant >= 10, "only " + significant + " checked entries are well above the noise floor");
        assertTrue(bad.isEmpty(), bad.size() + " of " + checked + " entries off: " + bad);
        assertTrue(g.getRow(repeated).norm2Number().doubleValue() > 0, "a repeated token accumulates gradient");

        // rows not in the batch and the pad row (padding_idx) get exactly zero
        assertEquals(0.0, g.getRow(cfg.padTokenId()).amaxNumber().doubleValue());
        int unused = 0;
        while (used.contains(unused)) unused++;
        assertEquals(0.0, g.getRow(unused).amaxNumber().doubleValue());
        assertEquals(0.0, fd(tc, table, (long) unused * hidden, 1e-2), 1e-6);
    }

    @Test
    void everyWeightGradientMatchesFiniteDifferencesAtItsLargestEntry() {
        TokenClassifier tc = TokenClassifier.create(cfg, weights, LABELS, Encoder.Options.TRAINING, 11);
        List<String> names = tc.trainableNames(false, 0);
        assertTrue(names.contains(TokenClassifier.WEIGHT) && names.contains("encoder.layer.2.output.LayerNorm.bias"));
        assertFalse(names.contains(Encoder.HEAD_GATES) || names.contains(Encoder.WORD_DELTA));
        TokenClassifier.Step step = tc.lossAndGradients(batch, labels, false, names);
        assertEquals(names.size(), step.gradients().size());
        Map<String, INDArray> w = tc.encoder().weights();
        List<String> bad = new ArrayList<>();
        Random r = new Random(9);
        for (String n : names) {
            INDArray g = step.gradients().get(n).dup();
            assertArrayEquals(w.get(n).shape(), g.shape(), n);
            long big = org.nd4j.linalg.ops.transforms.Transforms.abs(g.reshape(-1)).argMax().getLong(0);
            long rnd = (long) r.nextInt((int) g.length());
            for (long idx : new long[]{big, rnd}) {
                String e = compare(n + "[" + idx + "]", g.reshape(-1).getDouble(idx), fd(tc, w.get(n), idx, 1e-2));
                if (e != null) bad.add(e);
            }
        }
        assertTrue(bad.isEmpty(), bad.size() + " of " + 2 * names.size() + " entries off: " + bad);
    }
}
