package headlens.tagger;

import headlens.data.Batch;
import headlens.data.Batches;
import headlens.data.DataReaders;
import headlens.data.Example;
import headlens.data.Sentence;
import headlens.eval.Report;
import headlens.eval.Task;
import headlens.model.Encoder;
import headlens.testing.TinyRunDir;
import headlens.train.TokenClassifier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The tagger API on the tiny RUN_DIR: predictions against an argmax of the logits taken here, and the task's metric. */
class TaggerTest {
    @TempDir static Path tmp;
    static TaggerDir dir;
    static List<Sentence> gold;

    @BeforeAll
    static void setUp() throws Exception {
        dir = TaggerDir.load(TinyRunDir.create(tmp.resolve("run")));
        gold = DataReaders.sentences(TinyRunDir.data(tmp.resolve("en.tsv"), "en", 40, 7), 0);
    }

    /**
     * Windows of at most 8 tokens (6 words) with one token of context: sentences of 7 to 9 words take two windows. Every
     * word's label must be the ND4J argmax of the logits at its first sub-token in the window that owns it, batch by
     * batch as the batches are padded; the words predicted must be exactly the sentences' words. (The classifier is
     * freshly initialised: the briefly trained one predicts a single label on this data.)
     */
    @Test
    void predictionsAreTheArgmaxAtEachOwnedWord() {
        int maxLength = 8, stride = Tagger.headStride(maxLength);
        assertEquals(1, stride);
        Map<String, INDArray> encoder = new HashMap<>(dir.source().weights());
        encoder.remove(TokenClassifier.WEIGHT);
        encoder.remove(TokenClassifier.BIAS);
        TokenClassifier clf = TokenClassifier.create(dir.config(), encoder, dir.labels().size(), Encoder.Options.INFERENCE, 3);
        Tagger t = new Tagger(clf, dir.tokenizer(), dir.labels(), dir.task(), maxLength, stride, 4);
        List<Example> windows = t.features(gold);
        assertTrue(windows.size() > gold.size() + 5, "several sentences need two windows: " + windows.size() + " for " + gold.size());
        String[][] want = new String[gold.size()][];
        for (int i = 0; i < want.length; i++) want[i] = new String[gold.get(i).size()];
        for (Batch b : Batches.sorted(windows, 4, dir.config().padTokenId())) {
            INDArray arg = clf.logits(TokenClassifier.input(b)).argMax(2);   // [B, T]
            for (int r = 0; r < b.rows(); r++) {
                Example e = b.examples().get(r);
                for (int k = 0; k < e.length(); k++) {
                    int w = e.wordOf()[k];
                    if (w < 0) continue;
                    assertNull(want[e.sentence()][w], "word predicted twice");
                    want[e.sentence()][w] = dir.labels().label(arg.getInt(r, k));
                }
            }
        }
        List<List<String>> expected = new ArrayList<>();
        for (String[] w : want) expected.add(Arrays.asList(w));
        assertEquals(expected, t.predict(gold, windows));
        assertEquals(expected, t.predict(gold));   // windows cut without labels: the same ids
        assertTrue(expected.stream().flatMap(List::stream).distinct().count() > 1, "a tagger that predicts one label proves little");
    }

    /** The tiny RUN_DIR declares no task; its labels are O, B-PER, I-PER, so it is scored by entity F1. */
    @Test
    void theTaskPicksTheMetric() {
        assertEquals(Task.NER, dir.task());
        Tagger t = dir.tagger(16, 2, 8);
        Report r = t.evaluate(gold);
        assertEquals(Report.Kind.ENTITY_F1, r.kind());
        assertEquals(r.overall().entities().micro().f1(), Task.score(r), 0);
        // the same predictions scored as POS by a tagger that declares it
        Tagger pos = new Tagger(dir.classifier(Encoder.Options.INFERENCE), dir.tokenizer(), dir.labels(), Task.POS, 16, 2, 8);
        Report acc = pos.evaluate(gold);
        assertEquals(Report.Kind.TOKEN_ACCURACY, acc.kind());
        List<List<String>> pred = pos.predict(gold);
        long right = 0, words = 0;
        for (int i = 0; i < gold.size(); i++)
            for (int j = 0; j < gold.get(i).size(); j++, words++) if (gold.get(i).labels().get(j).equals(pred.get(i).get(j))) right++;
        assertEquals((double) right / words, Task.score(acc), 1e-12);
    }

    @Test
    void windowLengthsFitThePositionTable() {
        // tiny XLM-R: 40 positions, pad id 1, so positions 2..39 hold at most 38 tokens
        assertEquals(38, Tagger.fitLength(256, dir.config()));
        assertEquals(20, Tagger.fitLength(20, dir.config()));
        assertEquals(31, Tagger.headStride(128));
        assertEquals(32, Tagger.fitStride(32, 128));
        assertEquals(2, Tagger.fitStride(32, 10));
    }
}
