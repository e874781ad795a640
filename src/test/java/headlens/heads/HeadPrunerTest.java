package headlens.heads;

import headlens.config.EncoderConfig;
import headlens.core.HeadlensException;
import headlens.io.Npz;
import headlens.model.Encoder;
import headlens.model.HeadId;
import headlens.model.HeadLayout;
import headlens.model.HeadMask;
import headlens.train.AdamW;
import headlens.train.TokenClassifier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class HeadPrunerTest {
    static EncoderConfig cfg;
    static Map<String, INDArray> weights;
    static List<HeadImportance.Example> data;
    static final int D = 8, H = 32;   // head size, hidden size of the tiny model

    @BeforeAll
    static void setUp() {
        cfg = TinyTagger.config();
        weights = TinyTagger.trainedWeights();
        data = TinyTagger.data(2, 5, 9);
    }

    static TokenClassifier tagger(EncoderConfig c, Map<String, INDArray> w) {
        return TokenClassifier.create(c, w, TinyTagger.LABELS, Encoder.Options.INFERENCE, 0);
    }

    /** max |a - b| over the real tokens of every sequence. */
    static double maxDiff(INDArray a, INDArray b, Encoder.Batch batch) {
        double worst = 0;
        for (int i = 0; i < batch.size(); i++) {
            int n = java.util.Arrays.stream(batch.mask()[i]).sum();
            worst = Math.max(worst, a.get(NDArrayIndex.point(i), NDArrayIndex.interval(0, n))
                    .sub(b.get(NDArrayIndex.point(i), NDArrayIndex.interval(0, n))).amaxNumber().doubleValue());
        }
        return worst;
    }

    static void assertSameOutputs(TokenClassifier masked, TokenClassifier physical) {
        for (HeadImportance.Example ex : data) {
            Encoder.Batch b = ex.batch();
            double dh = maxDiff(masked.encoder().forward(b).hidden(), physical.encoder().forward(b).hidden(), b);
            double dl = maxDiff(masked.logits(b), physical.logits(b), b);
            assertTrue(dh <= 1e-5 && dl <= 1e-5, "masked vs physical: hidden " + dh + ", logits " + dl);
        }
    }

    @Test
    void physicalPruningGivesTheMaskedModelsOutputs() {
        List<HeadId> heads = List.of(new HeadId(0, 1), new HeadId(1, 0), new HeadId(1, 3), new HeadId(2, 2));
        TokenClassifier masked = tagger(cfg, weights);
        new HeadMask(Set.copyOf(heads)).apply(masked.encoder());
        HeadPruner.Pruned p = HeadPruner.prune(cfg, weights, heads);
        assertEquals(Map.of(0, List.of(1), 1, List.of(0, 3), 2, List.of(2)), p.config().prunedHeads());
        assertArrayEquals(new long[]{2 * D, H}, p.weights().get("encoder.layer.1.attention.self.key.weight").shape());
        assertArrayEquals(new long[]{H, 2 * D}, p.weights().get("encoder.layer.1.attention.output.dense.weight").shape());
        // the surviving heads 1 and 2 of layer 1 are the original rows / columns [8, 24)
        assertEquals(weights.get("encoder.layer.1.attention.self.value.weight").get(NDArrayIndex.interval(D, 3 * D), NDArrayIndex.all()),
                p.weights().get("encoder.layer.1.attention.self.value.weight"));
        assertEquals(weights.get("encoder.layer.1.attention.self.value.bias").get(NDArrayIndex.interval(D, 3 * D)),
                p.weights().get("encoder.layer.1.attention.self.value.bias"));
        assertEquals(weights.get("encoder.layer.1.attention.output.dense.weight").get(NDArrayIndex.all(), NDArrayIndex.interval(D, 3 * D)),
                p.weights().get("encoder.layer.1.attention.output.dense.weight"));
        assertSameOutputs(masked, tagger(p.config(), p.weights()));
        // the masked model really differs from the unpruned one (the comparison is not vacuous)
        TokenClassifier full = tagger(cfg, weights);
        Encoder.Batch b = data.get(0).batch();
        assertTrue(maxDiff(full.logits(b), masked.logits(b), b) > 1e-3);
    }

    /** HuggingFace maps original indices through pruned_heads: pruning in two steps equals pruning the union at once. */
    @Test
    void pruningAnAlreadyPrunedLayerUsesOriginalIndices() {
        HeadPruner.Pruned once = HeadPruner.prune(cfg, weights, List.of(new HeadId(1, 0), new HeadId(1, 2)));
        HeadPruner.Pruned first = HeadPruner.prune(cfg, weights, List.of(new HeadId(1, 0)));
        HeadPruner.Pruned twice = HeadPruner.prune(first.config(), first.weights(), List.of(new HeadId(1, 2), new HeadId(1, 0)));
        assertEquals(Map.of(1, List.of(0, 2)), twice.config().prunedHeads());
        for (String k : once.weights().keySet()) assertEquals(once.weights().get(k), twice.weights().get(k), k);
        // original head 3 is now column 1 of layer 1: original rows [24, 32)
        assertEquals(weights.get("encoder.layer.1.attention.self.query.weight").get(NDArrayIndex.interval(3 * D, 4 * D), NDArrayIndex.all()),
                twice.weights().get("encoder.layer.1.attention.self.query.weight").get(NDArrayIndex.interval(D, 2 * D), NDArrayIndex.all()));
        assertEquals(1, HeadLayout.column(twice.config(), new HeadId(1, 3)));
        assertEquals(-1, HeadLayout.column(twice.config(), new HeadId(1, 2)));
        TokenClassifier masked = tagger(cfg, weights);
        new HeadMask(Set.of(new HeadId(1, 0), new HeadId(1, 2))).apply(masked.encoder());
        assertSameOutputs(masked, tagger(twice.config(), twice.weights()));
    }

    /** Allowed as in HuggingFace: the attention block then contributes only its output bias. */
    @Test
    void everyHeadOfALayerCanBePruned() {
        List<HeadId> all = List.of(new HeadId(2, 0), new HeadId(2, 1), new HeadId(2, 2), new HeadId(2, 3), new HeadId(0, 3));
        HeadPruner.Pruned p = HeadPruner.prune(cfg, weights, all);
        assertEquals(0, p.config().headsInLayer(2));
        assertArrayEquals(new long[]{0, H}, p.weights().get("encoder.layer.2.attention.self.query.weight").shape());
        assertArrayEquals(new long[]{0}, p.weights().get("encoder.layer.2.attention.self.query.bias").shape());
        assertArrayEquals(new long[]{H, 0}, p.weights().get("encoder.layer.2.attention.output.dense.weight").shape());
        TokenClassifier masked = tagger(cfg, weights);
        new HeadMask(Set.copyOf(all)).apply(masked.encoder());
        TokenClassifier physical = tagger(p.config(), p.weights());
        assertSameOutputs(masked, physical);
        // importance on the pruned model: NaN for pruned heads, the masked model's gradients for the others
        HeadImportance.Result rp = HeadImportance.compute("p", physical, data, false, null);
        HeadImportance.Result rm = HeadImportance.compute("m", masked, data, false, null);
        for (int l = 0; l < 3; l++)
            for (int h = 0; h < 4; h++) {
                boolean gone = l == 2 || (l == 0 && h == 3);
                if (gone) assertTrue(Double.isNaN(rp.gradient().raw()[l][h]));
                else assertEquals(rm.gradient().raw()[l][h], rp.gradient().raw()[l][h], 1e-5 + 1e-3 * rm.gradient().raw()[l][h], l + ":" + h);
            }
    }

    /** A pruned model written to disk (config.json with pruned_heads + weights) loads back and gives the same outputs. */
    @Test
    void prunedModelRoundTripsThroughDiskAndFineTunes(@TempDir Path dir) throws Exception {
        List<HeadId> heads = List.of(new HeadId(0, 0), new HeadId(1, 1), new HeadId(1, 2));
        HeadPruner.Pruned p = HeadPruner.prune(cfg, weights, heads);
        Files.writeString(dir.resolve("config.json"), p.config().toJson().toPrettyString());
        Map<String, INDArray> w = new HashMap<>(p.weights());
        Npz.write(dir.resolve("weights.npz"), w);
        EncoderConfig back = EncoderConfig.read(dir.resolve("config.json"));
        assertEquals(Map.of(0, List.of(0), 1, List.of(1, 2)), back.prunedHeads());
        TokenClassifier loaded = tagger(back, Npz.read(dir.resolve("weights.npz")));
        TokenClassifier masked = tagger(cfg, weights);
        new HeadMask(Set.copyOf(heads)).apply(masked.encoder());
        assertSameOutputs(masked, loaded);

        // fine-tunes further: AdamW steps on the pruned graph lower the training loss
        TokenClassifier train = TokenClassifier.create(back, Npz.read(dir.resolve("weights.npz")), TinyTagger.LABELS, Encoder.Options.TRAINING, 0);
        List<String> names = train.trainableNames(false, 0);
        AdamW opt = new AdamW(AdamW.Params.HF);
        HeadImportance.Example ex = data.get(0);
        double first = train.lossAndGradients(ex.batch(), ex.labels(), false, names).loss();
        for (int i = 0; i < 15; i++) {
            TokenClassifier.Step s = train.lossAndGradients(ex.batch(), ex.labels(), false, names);
            assertArrayEquals(new long[]{2 * D, H}, s.gradients().get("encoder.layer.1.attention.self.query.weight").shape());
            opt.update(train.encoder().weights(), s.gradients(), 3e-3, 1.0);
        }
        double last = train.lossAndGradients(ex.batch(), ex.labels(), false, names).loss();
        assertTrue(last < 0.8 * first, "loss " + first + " -> " + last);
    }

    @Test
    void badHeadsAreNamed() {
        HeadlensException e = assertThrows(HeadlensException.class, () -> HeadPruner.prune(cfg, weights, List.of(new HeadId(3, 0))));
        assertTrue(e.getMessage().contains("head 3:0 does not exist") && e.getMessage().contains("3 layers"), e.getMessage());
        e = assertThrows(HeadlensException.class, () -> HeadPruner.prune(cfg, weights, List.of(new HeadId(0, 4))));
        assertTrue(e.getMessage().contains("head 0:4 does not exist"), e.getMessage());
        Map<String, INDArray> missing = new HashMap<>(weights);
        missing.remove("encoder.layer.1.attention.self.key.bias");
        e = assertThrows(HeadlensException.class, () -> HeadPruner.prune(cfg, missing, List.of(new HeadId(1, 0))));
        assertTrue(e.getMessage().contains("'encoder.layer.1.attention.self.key.bias' is missing"), e.getMessage());
        // weights already pruned but a config that does not say so
        HeadPruner.Pruned p = HeadPruner.prune(cfg, weights, List.of(new HeadId(1, 0)));
        e = assertThrows(HeadlensException.class, () -> HeadPruner.prune(cfg, p.weights(), List.of(new HeadId(1, 1))));
        assertTrue(e.getMessage().contains("encoder.layer.1.attention.self.query.weight") && e.getMessage().contains("[24, 32]"), e.getMessage());
    }

    @Test
    void prefixedKeysArePrunedToo() {
        Map<String, INDArray> w = new HashMap<>();
        weights.forEach((k, v) -> w.put(k.startsWith("classifier") ? k : "bert." + k, v));
        HeadPruner.Pruned p = HeadPruner.prune(cfg, w, List.of(new HeadId(0, 0)));
        assertArrayEquals(new long[]{3 * D, H}, p.weights().get("bert.encoder.layer.0.attention.self.query.weight").shape());
    }

    @Test
    void flopsCountShrinksWithHeads() {
        HeadPruner.Pruned p = HeadPruner.prune(cfg, weights, List.of(new HeadId(0, 0)));
        // one head of d=8 removed at t=10: 2·4·H·d (projections) + 4·t·d (scores, context)
        assertEquals(2.0 * 4 * H * D + 4.0 * 10 * D, HeadPruner.flopsPerToken(cfg, 10) - HeadPruner.flopsPerToken(p.config(), 10), 1e-9);
    }
}
