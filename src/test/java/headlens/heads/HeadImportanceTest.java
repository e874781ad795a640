package headlens.heads;

import headlens.config.EncoderConfig;
import headlens.io.Npz;
import headlens.model.Encoder;
import headlens.train.TokenClassifier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class HeadImportanceTest {
    static EncoderConfig cfg;
    static Map<String, INDArray> weights;
    static List<HeadImportance.Example> dev;

    @BeforeAll
    static void setUp() {
        cfg = TinyTagger.config();
        weights = TinyTagger.trainedWeights();
        dev = TinyTagger.data(3, 5, 42);
    }

    /** Michel's I_h = Σ_batches |dL/dg_h| against central finite differences of the loss, batch by batch, on every head. */
    @Test
    void gradientImportanceMatchesFiniteDifferences() {
        TokenClassifier clf = TokenClassifier.create(cfg, weights, TinyTagger.LABELS, Encoder.Options.INFERENCE, 0);
        HeadImportance.Result r = HeadImportance.compute("syn", clf, dev, false, null);
        assertNull(r.token());
        double eps = 1e-2;
        List<String> bad = new ArrayList<>();
        for (int l = 0; l < cfg.numHiddenLayers(); l++)
            for (int h = 0; h < cfg.numAttentionHeads(); h++) {
                double fd = 0;
                for (HeadImportance.Example ex : dev) {
                    clf.encoder().setGate(l, h, (float) (1 + eps));
                    double up = TinyTagger.loss(clf, ex);
                    clf.encoder().setGate(l, h, (float) (1 - eps));
                    double down = TinyTagger.loss(clf, ex);
                    clf.encoder().setGate(l, h, 1f);
                    fd += Math.abs((up - down) / (2 * eps));
                }
                double an = r.gradient().raw()[l][h];
                double rel = Math.abs(fd - an) / Math.max(fd, 1e-4);
                if (rel > 1e-2) bad.add(l + ":" + h + " analytic " + an + " fd " + fd);
            }
        assertTrue(bad.isEmpty(), "importance off: " + bad);
        int counted = 0;
        for (HeadImportance.Example ex : dev) for (int[] row : ex.labels()) for (int y : row) if (y >= 0) counted++;
        assertEquals(counted, r.tokens());
        assertEquals(15, r.windows());
    }

    /**
     * The released code's K/V table: per batch, mean |dL/dW| over each head's input-column block of the key and the value
     * weight, summed. The weight gradients are checked against central finite differences on sampled entries (float32,
     * so against a tolerance), the block means by plain loops over those gradients.
     */
    @Test
    void releasedKvTableMatchesFiniteDifferencesAndTheBlockMeans() {
        TokenClassifier clf = TokenClassifier.create(cfg, weights, TinyTagger.LABELS, Encoder.Options.INFERENCE, 0);
        HeadImportance.Result r = HeadImportance.compute("syn", clf, dev, false, true, null);
        int layers = cfg.numHiddenLayers(), heads = cfg.numAttentionHeads(), hidden = cfg.hiddenSize(), d = hidden / heads;
        double[][] ref = new double[layers][heads];
        java.util.Random rnd = new java.util.Random(3);
        double eps = 1e-2;
        List<String> bad = new ArrayList<>();
        for (HeadImportance.Example ex : dev) {
            List<String> wrt = new ArrayList<>();
            for (int l = 0; l < layers; l++) { wrt.add(Encoder.keyWeight(l)); wrt.add(Encoder.valueWeight(l)); }
            Map<String, INDArray> g = headlens.model.Gradients.calculate(clf.sd(), clf.feed(ex.batch(), ex.labels(), false),
                    List.of(), wrt).getGradients();
            for (String w : wrt) {
                INDArray gw = g.get(w).dup(), param = clf.sd().getVariable(w).getArr();
                int layer = Integer.parseInt(w.split("\\.")[2]);
                for (int o = 0; o < hidden; o++)
                    for (int i = 0; i < hidden; i++) ref[layer][i / d] += Math.abs(gw.getDouble(o, i)) / ((double) hidden * d);
                for (int n = 0; n < 6; n++) {
                    int o = rnd.nextInt(hidden), i = rnd.nextInt(hidden);
                    float v = param.getFloat(o, i);
                    param.putScalar(o, i, v + eps);
                    double up = TinyTagger.loss(clf, ex);
                    param.putScalar(o, i, v - eps);
                    double down = TinyTagger.loss(clf, ex);
                    param.putScalar(o, i, v);
                    double fd = (up - down) / (2 * eps), an = gw.getDouble(o, i);
                    if (Math.abs(fd - an) > 1e-4 + 1e-2 * Math.abs(fd)) bad.add(w + "[" + o + "," + i + "] analytic " + an + " fd " + fd);
                }
            }
        }
        assertTrue(bad.isEmpty(), "weight gradients off: " + bad);
        for (int l = 0; l < layers; l++) assertArrayEquals(ref[l], r.released().raw()[l], 1e-9, "layer " + l);
        assertEquals(HeadScores.fromRawL1("x", ref, 1).ascending(), r.released().ascending());
        assertNull(HeadImportance.compute("syn", clf, dev, false, null).released());
    }

    /** The split-half ρ is the agreement of the even and the odd batches' own importance tables, and they add up to the whole. */
    @Test
    void splitHalfIsTheRankCorrelationOfAlternateBatches() {
        TokenClassifier clf = TokenClassifier.create(cfg, weights, TinyTagger.LABELS, Encoder.Options.INFERENCE, 0);
        List<HeadImportance.Example> data = TinyTagger.data(4, 5, 7);
        HeadImportance.Result all = HeadImportance.compute("all", clf, data, false, null);
        HeadImportance.Result even = HeadImportance.compute("even", clf, List.of(data.get(0), data.get(2)), false, null);
        HeadImportance.Result odd = HeadImportance.compute("odd", clf, List.of(data.get(1), data.get(3)), false, null);
        int n = cfg.numHiddenLayers() * cfg.numAttentionHeads();
        double[] a = new double[n], b = new double[n];
        for (int l = 0, i = 0; l < cfg.numHiddenLayers(); l++)
            for (int h = 0; h < cfg.numAttentionHeads(); h++, i++) {
                assertEquals(all.gradient().raw()[l][h], even.gradient().raw()[l][h] + odd.gradient().raw()[l][h], 1e-12);
                a[i] = even.gradient().normalized()[l][h];
                b[i] = odd.gradient().normalized()[l][h];
            }
        // Spearman by its textbook formula on distinct ranks: 1 - 6 Σ d² / (n (n² - 1))
        double d2 = 0;
        double[] ra = Spearman.ranks(a), rb = Spearman.ranks(b);
        for (int i = 0; i < n; i++) d2 += (ra[i] - rb[i]) * (ra[i] - rb[i]);
        assertEquals(n, java.util.Arrays.stream(ra).distinct().count(), "tied scores: the textbook formula does not apply");
        assertEquals(1 - 6 * d2 / (n * ((double) n * n - 1)), all.splitHalf(), 1e-12);
        assertNull(HeadImportance.compute("one", clf, data.subList(0, 1), false, null).splitHalf(), "one batch has no halves");
        assertEquals(0.5, HeadImportance.spearmanBrown(1.0 / 3), 1e-15);
    }

    /** Σ_t ⟨dL/dctx_t, ctx_t⟩ = Σ_{t,j} dL/dP·P must equal dL/dg (gate at 1): checks that d/dP reaches the graph path. */
    @Test
    void perTokenTermsSumToTheGateGradient() {
        TokenClassifier clf = TokenClassifier.create(cfg, weights, TinyTagger.LABELS, new Encoder.Options(false, true), 0);
        headlens.model.Gradients.ensure(clf.sd());
        HeadImportance.Example ex = dev.get(0);
        List<String> attn = clf.encoder().attentionNames();
        List<String> wrt = new ArrayList<>(attn);
        wrt.add(Encoder.HEAD_GATES);
        OutAndGrad og = clf.sd().calculateGradientsAndOutputs(clf.feed(ex.batch(), ex.labels(), false), attn, wrt);
        INDArray g = og.getGradients().get(Encoder.HEAD_GATES);
        for (int l = 0; l < cfg.numHiddenLayers(); l++) {
            INDArray prod = og.getGradients().get(attn.get(l)).mul(og.getOutputs().get(attn.get(l)));   // [B, h, T, T]
            for (int h = 0; h < cfg.numAttentionHeads(); h++) {
                double s = prod.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(h)).sumNumber().doubleValue();
                assertEquals(g.getDouble(l, h), s, 1e-4 + 1e-3 * Math.abs(s), "head " + l + ":" + h);
            }
        }
        // and the per-token table bounds the batch gradient from above (triangle inequality), with the same tokens
        HeadImportance.Result one = HeadImportance.compute("x", clf, List.of(ex), true, null);
        for (int l = 0; l < cfg.numHiddenLayers(); l++)
            for (int h = 0; h < cfg.numAttentionHeads(); h++)
                assertTrue(one.token().raw()[l][h] >= one.gradient().raw()[l][h] * (1 - 1e-4), "head " + l + ":" + h);
    }

    /** Entropy against the NumPy reference's attention probabilities on the golden batch. */
    @Test
    void entropyMatchesTheNumpyAttentions() {
        Map<String, INDArray> golden = Npz.read(TinyTagger.DIR.resolve("expected.npz"));
        Map<String, INDArray> in = Npz.read(TinyTagger.DIR.resolve("inputs.npz"));
        Encoder.Batch batch = new Encoder.Batch(in.get("input_ids").toIntMatrix(), in.get("attention_mask").toIntMatrix());
        int[][] labels = new int[batch.size()][batch.length()];
        for (int i = 0; i < labels.length; i++)
            for (int j = 0; j < labels[i].length; j++) labels[i][j] = batch.mask()[i][j] == 1 ? j % 3 : TokenClassifier.IGNORE;
        TokenClassifier clf = TokenClassifier.create(cfg, TinyTagger.encoderWeights(), TinyTagger.LABELS, new Encoder.Options(false, true), 0);
        HeadImportance.Result r = HeadImportance.compute("g", clf, List.of(new HeadImportance.Example(batch, labels)), true, null);
        for (int l = 0; l < cfg.numHiddenLayers(); l++) {
            INDArray p = golden.get("attn_" + l);            // [B, h, T, T] float64 reference
            for (int h = 0; h < cfg.numAttentionHeads(); h++) {
                double ref = 0;
                for (int b = 0; b < batch.size(); b++)
                    for (int q = 0; q < batch.length(); q++) {
                        if (batch.mask()[b][q] == 0) continue;
                        for (int k = 0; k < batch.length(); k++) {
                            double v = p.getDouble(b, h, q, k);
                            if (batch.mask()[b][k] == 1 && v > 0) ref -= v * Math.log(v);
                        }
                    }
                assertEquals(ref, r.entropy().raw()[l][h], 1e-4 * ref, "entropy " + l + ":" + h);
            }
        }
    }
}
