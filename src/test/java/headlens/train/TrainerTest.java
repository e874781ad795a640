package headlens.train;

import headlens.config.EncoderConfig;
import headlens.data.Example;
import headlens.io.Npz;
import headlens.model.Encoder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** The training loop on the tiny XLM-R checkpoint: it learns a tiny set completely, and resuming is exact. */
class TrainerTest {
    static final Path DIR = Path.of("src/test/resources/golden/tiny-xlmr");
    static final List<String> LABELS = List.of("A", "B", "C", "D");
    static EncoderConfig cfg;
    static Map<String, INDArray> weights;

    @BeforeAll
    static void load() {
        cfg = EncoderConfig.read(DIR.resolve("config.json"));
        weights = Npz.read(DIR.resolve("weights.npz"));
    }

    /** <s> w1 .. wk </s> with a label on every word: the label of a word depends on it and on whether it comes first. */
    static List<Example> tinySet(int n, long seed) {
        Random r = new Random(seed);
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int k = 3 + r.nextInt(8);
            int[] ids = new int[k + 2], y = new int[k + 2];
            ids[0] = 0; ids[k + 1] = 2;
            y[0] = y[k + 1] = TokenClassifier.IGNORE;
            for (int j = 1; j <= k; j++) {
                ids[j] = 3 + r.nextInt(cfg.vocabSize() - 3);
                y[j] = (ids[j] + (j == 1 ? 1 : 0)) % LABELS.size();
            }
            out.add(new Example(i, 0, ids, y, new int[0], 0, k, 0, k));
        }
        return out;
    }

    /** Token accuracy over counted positions, without dropout. */
    static double accuracy(TokenClassifier m, List<Example> data) {
        int right = 0, all = 0;
        for (Example e : data) {
            Encoder.Batch b = Encoder.Batch.pad(List.of(e.inputIds()), cfg.padTokenId());
            int[] pred = m.predict(b)[0];
            for (int j = 0; j < e.length(); j++) {
                if (e.labelIds()[j] == TokenClassifier.IGNORE) continue;
                all++;
                if (pred[j] == e.labelIds()[j]) right++;
            }
        }
        return (double) right / all;
    }

    static TrainConfig config(int epochs, double lr, int batch) {
        return TrainConfig.DEFAULTS.with(new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode()
                .put("epochs", epochs).put("lr", lr).put("batch_size", batch).put("weight_decay", 0.01).put("log_every", 1)
                .put("gc_every", 0));   // tiny model: no native-memory pressure, skip the per-update collection
    }

    @Test
    void overfitsATinySetToFullAccuracy(@TempDir Path run) throws Exception {
        List<Example> data = tinySet(12, 1);
        TokenClassifier m = TokenClassifier.create(cfg, weights, LABELS.size(), Encoder.Options.TRAINING, 42);
        double before = accuracy(m, data);
        Trainer t = new Trainer(m, data, model -> new Trainer.Evaluation(accuracy(model, data), Map.of()),
                config(60, 3e-3, 4), run, LABELS).progress(false);
        Trainer.Result r = t.run(false);
        double after = accuracy(m, data);
        assertEquals(1.0, after, "accuracy before " + before + ", after " + after);
        assertTrue(before < 0.5, "starts near chance: " + before);
        assertEquals(60 * 3, r.steps());
        assertEquals(1.0, r.bestScore());
        List<String> log = Files.readAllLines(run.resolve("logs/train.jsonl"));
        assertTrue(log.get(0).contains("\"event\":\"start\"") && log.get(log.size() - 1).contains("\"event\":\"end\""));
        assertTrue(Files.isRegularFile(run.resolve("checkpoint/state.json")));
    }

    @Test
    void resumedRunEndsBitIdenticalToAnUninterruptedOne(@TempDir Path a, @TempDir Path b) {
        List<Example> data = tinySet(10, 2);
        TrainConfig c = config(2, 1e-3, 3);                       // 4 updates an epoch, dropout on
        Trainer.Evaluator ev = model -> new Trainer.Evaluation(accuracy(model, data), Map.of());

        TokenClassifier straight = TokenClassifier.create(cfg, weights, LABELS.size(), Encoder.Options.TRAINING, 42);
        Trainer.Result ra = new Trainer(straight, data, ev, c, a, LABELS).progress(false).run(false);

        TokenClassifier first = TokenClassifier.create(cfg, weights, LABELS.size(), Encoder.Options.TRAINING, 42);
        Trainer.Result half = new Trainer(first, data, ev, c, b, LABELS).progress(false).stopAfter(3).run(false);
        assertTrue(half.interrupted());
        assertEquals(3, half.steps());                            // stopped mid-epoch
        TokenClassifier resumed = TokenClassifier.create(cfg, weights, LABELS.size(), Encoder.Options.TRAINING, 7); // other init: all from the checkpoint
        // resumed with checkpoints and log lines at every update: bookkeeping, which neither blocks a resume nor changes a weight
        TrainConfig often = c.with(new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("checkpoint_every", 1).put("log_every", 2));
        Trainer.Result rb = new Trainer(resumed, data, ev, often, b, LABELS).progress(false).run(true);

        assertEquals(ra.steps(), rb.steps());
        assertEquals(ra.bestScore(), rb.bestScore());
        Map<String, INDArray> wa = straight.encoder().weights(), wb = resumed.encoder().weights();
        assertEquals(wa.keySet(), wb.keySet());
        INDArray init = weights.get("encoder.layer.0.attention.self.query.weight");
        assertNotEquals(init, wa.get("encoder.layer.0.attention.self.query.weight"), "training changed the weights");
        assertNotEquals(weights.get(Encoder.WORD_EMBEDDINGS), wa.get(Encoder.WORD_EMBEDDINGS), "the word table trains");
        for (String k : wa.keySet()) assertEquals(wa.get(k), wb.get(k), k + " differs after resume");
    }

    @Test
    void resumeRefusesAnotherConfiguration(@TempDir Path run) {
        List<Example> data = tinySet(6, 3);
        Trainer.Evaluator ev = model -> new Trainer.Evaluation(0, Map.of());
        TokenClassifier m = TokenClassifier.create(cfg, weights, LABELS.size(), Encoder.Options.TRAINING, 42);
        new Trainer(m, data, ev, config(1, 1e-3, 3), run, LABELS).progress(false).stopAfter(1).run(false);
        var ex = assertThrows(headlens.core.HeadlensException.class,
                () -> new Trainer(m, data, ev, config(1, 2e-3, 3), run, LABELS).progress(false).run(true));
        assertTrue(ex.getMessage().contains("state.json"), ex.getMessage());
    }
}
