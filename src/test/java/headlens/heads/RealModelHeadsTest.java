package headlens.heads;

import headlens.data.Batches;
import headlens.data.DataReaders;
import headlens.data.Example;
import headlens.data.LabelMap;
import headlens.data.Sentence;
import headlens.model.Encoder;
import headlens.model.HeadId;
import headlens.model.HeadMask;
import headlens.model.ModelSource;
import headlens.tagger.Tagger;
import headlens.tokenize.Tokenizer;
import headlens.tokenize.Tokenizers;
import headlens.train.TokenClassifier;
import headlens.train.TrainConfig;
import headlens.train.Trainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** Real all-MiniLM-L6-v2 weights and real UD English-EWT sentences (../shared); run with {@code mvn -Preal-data}. */
@Tag("slow")
class RealModelHeadsTest {
    static Path ewt;
    static ModelSource mini;
    static Tokenizer tok;

    @BeforeAll
    static void setUp() {
        ewt = Path.of(System.getProperty("headlens.shared", "../shared")).resolve("data/pos/en");
        assertTrue(Files.isRegularFile(ewt.resolve("train.conllu")), "this test needs ../shared/data/pos/en");
        mini = ModelSource.defaultModel();
        tok = Tokenizers.load(mini.dir());
    }

    static List<Example> features(LabelMap labels, List<Sentence> s, int maxLength) {
        return Tagger.features(tok, labels, s, maxLength, Tagger.headStride(maxLength));
    }

    static List<HeadImportance.Example> batches(List<Example> f, int batchSize) {
        return Batches.sorted(f, batchSize, 0).stream().map(HeadImportance.Example::of).toList();
    }

    /** 12 random heads plus every head of layer 3, on real sentences: masked and physically pruned agree to 1e-5. */
    @Test
    void physicalPruningMatchesMaskOnMiniLm() {
        List<Sentence> s = DataReaders.sentences(ewt.resolve("dev.conllu"), 24);
        LabelMap labels = LabelMap.of(s);
        List<HeadId> heads = new ArrayList<>(HeadScores.fromRaw("u", new double[6][12], 1).select(12, HeadScores.Order.RANDOM, 3));
        for (int h = 0; h < 12; h++) if (!heads.contains(new HeadId(3, h))) heads.add(new HeadId(3, h));
        Encoder masked = Encoder.create(mini.config(), mini.weights(), Encoder.Options.INFERENCE);
        new HeadMask(Set.copyOf(heads)).apply(masked);
        HeadPruner.Pruned p = HeadPruner.prune(mini.config(), mini.weights(), heads);
        assertEquals(0, p.config().headsInLayer(3));
        Encoder physical = Encoder.create(p.config(), p.weights(), Encoder.Options.INFERENCE);
        double worst = 0;
        for (HeadImportance.Example ex : batches(features(labels, s, 128), 8)) {
            INDArray a = masked.forward(ex.batch()).hidden(), b = physical.forward(ex.batch()).hidden();
            for (int i = 0; i < ex.batch().size(); i++) {
                int n = java.util.Arrays.stream(ex.batch().mask()[i]).sum();
                worst = Math.max(worst, a.get(NDArrayIndex.point(i), NDArrayIndex.interval(0, n))
                        .sub(b.get(NDArrayIndex.point(i), NDArrayIndex.interval(0, n))).amaxNumber().doubleValue());
            }
        }
        assertTrue(worst <= 1e-5, "max abs diff " + worst);
    }

    /**
     * A tagger fine-tuned on 300 EWT sentences; on a batch of 16 dev sentences, d loss / d gate of each of the 72 heads
     * against central differences (eps 0.05): relative L2 error over all heads ≤ 1e-2, relative error ≤ 1e-2 for every
     * head whose |gradient| is at least 10% of the largest; smaller ones within 1e-3 of the largest in absolute terms
     * (their FD estimates carry float32 loss noise of a few 1e-6, i.e. a few % of a gradient of 2e-4).
     */
    @Test
    void gateGradientsMatchFiniteDifferencesOnATrainedTagger(@TempDir Path run) {
        List<Sentence> train = DataReaders.sentences(ewt.resolve("train.conllu"), 300);
        LabelMap labels = LabelMap.of(train);
        TrainConfig cfg = TrainConfig.DEFAULTS.with(new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode()
                .put("lr", 5e-4).put("epochs", 1).put("max_length", 64).put("seed", 7));
        Map<String, INDArray> w = new LinkedHashMap<>();
        mini.weights().forEach((k, v) -> w.put(k, v.dup('c')));
        TokenClassifier t = TokenClassifier.create(mini.config(), w, labels.size(), Encoder.Options.TRAINING, 7);
        List<Example> devFeats = features(labels, DataReaders.sentences(ewt.resolve("dev.conllu"), 16), 64);
        HeadImportance.Example dev = batches(devFeats, 16).get(0);
        new Trainer(t, features(labels, train, 64), m -> new Trainer.Evaluation(0, Map.of()), cfg, run, labels.labels())
                .progress(false).run(false);
        TokenClassifier clf = TokenClassifier.create(mini.config(), t.encoder().weights(), labels.size(), Encoder.Options.INFERENCE, 0);
        double loss0 = loss(clf, dev);
        assertTrue(loss0 < 1.0, "the tagger is trained: dev loss " + loss0);
        double[][] an = HeadImportance.compute("dev", clf, List.of(dev), false, null).gradient().raw();
        double eps = 0.05, max = 0;
        double[][] fd = new double[6][12];
        for (int l = 0; l < 6; l++)
            for (int h = 0; h < 12; h++) {
                clf.encoder().setGate(l, h, (float) (1 + eps));
                double up = loss(clf, dev);
                clf.encoder().setGate(l, h, (float) (1 - eps));
                double down = loss(clf, dev);
                clf.encoder().setGate(l, h, 1f);
                fd[l][h] = Math.abs((up - down) / (2 * eps));
                max = Math.max(max, fd[l][h]);
            }
        List<String> bad = new ArrayList<>();
        double worstRel = 0, diff2 = 0, norm2 = 0;
        int checked = 0;
        for (int l = 0; l < 6; l++)
            for (int h = 0; h < 12; h++) {
                double err = Math.abs(fd[l][h] - an[l][h]);
                diff2 += err * err;
                norm2 += fd[l][h] * fd[l][h];
                if (fd[l][h] >= 0.1 * max) {
                    checked++;
                    worstRel = Math.max(worstRel, err / fd[l][h]);
                    if (err > 1e-2 * fd[l][h]) bad.add(String.format(Locale.ROOT, "%d:%d an %.3e fd %.3e", l, h, an[l][h], fd[l][h]));
                } else if (err > 1e-3 * max) bad.add(String.format(Locale.ROOT, "%d:%d (small) an %.3e fd %.3e", l, h, an[l][h], fd[l][h]));
            }
        double vecRel = Math.sqrt(diff2 / norm2);
        System.out.printf(Locale.ROOT, "gate FD check: dev loss %.4f, max |grad| %.3e; relative L2 error over the 72 heads %.2e; "
                + "%d heads above 10%% of the max, worst relative error among them %.2e%n", loss0, max, vecRel, checked, worstRel);
        assertTrue(vecRel <= 1e-2, "relative L2 error " + vecRel);
        assertTrue(bad.isEmpty(), "gate gradients off: " + bad);
    }

    static double loss(TokenClassifier clf, HeadImportance.Example ex) {
        return clf.sd().output(clf.feed(ex.batch(), ex.labels(), false), TokenClassifier.LOSS).get(TokenClassifier.LOSS).getDouble(0);
    }
}
