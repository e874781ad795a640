package headlens.cli;

import headlens.config.EncoderConfig;
import headlens.data.Batch;
import headlens.data.Batches;
import headlens.data.DataReaders;
import headlens.data.Example;
import headlens.heads.HeadScores;
import headlens.heads.ImportanceReport;
import headlens.model.Encoder;
import headlens.model.HeadId;
import headlens.model.HeadMask;
import headlens.tagger.Tagger;
import headlens.tagger.TaggerDir;
import headlens.train.TokenClassifier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** {@code headlens prune} end to end on a tiny RUN_DIR and its heads.json: mask and physical modes, bad inputs. */
class PruneCommandTest {
    @TempDir static Path tmp;
    static Path run, en, heads;

    @BeforeAll
    static void setUp() throws Exception {
        ImportanceCommandTest.Fixture f = ImportanceCommandTest.Fixture.create(tmp);
        run = f.run();
        en = f.en();
        heads = f.heads();
    }

    static String err;

    static int cli(String... args) {
        ImportanceCommandTest.Run r = ImportanceCommandTest.cli(args);
        err = r.err();
        return r.rc();
    }

    /** Mask and physical pruning of the same heads, both loaded back from disk: same logits (≤ 1e-5), smaller weights. */
    @Test
    void maskedAndPhysicalDirectoriesAgree() throws Exception {
        Path masked = tmp.resolve("masked"), physical = tmp.resolve("physical");
        assertEquals(0, cli("prune", "--model", run.toString(), "--heads", heads.toString(), "--count", "5", "--output", masked.toString()));
        assertEquals(0, cli("prune", "--model", run.toString(), "--heads", heads.toString(), "--count", "5", "--mode", "physical", "--output", physical.toString()));
        HeadMask mask = HeadMask.read(masked, EncoderConfig.read(masked.resolve("config.json")));
        assertEquals(5, mask.masked().size());
        assertEquals(ImportanceReport.read(heads).aggregate().select(5, HeadScores.Order.LOWEST, 0), List.copyOf(new java.util.TreeSet<>(mask.masked())));
        EncoderConfig pc = EncoderConfig.read(physical.resolve("config.json"));
        int removed = pc.prunedHeads().values().stream().mapToInt(List::size).sum();
        assertEquals(5, removed);
        for (HeadId id : mask.masked()) assertTrue(pc.prunedHeads().get(id.layer()).contains(id.head()));
        assertFalse(Files.exists(physical.resolve(HeadMask.FILE)));
        assertTrue(Files.size(physical.resolve("model.safetensors")) < Files.size(masked.resolve("model.safetensors")));
        assertSameLogits(masked, physical);
    }

    static void assertSameLogits(Path a, Path b) {
        TaggerDir ma = TaggerDir.load(a), mb = TaggerDir.load(b);
        TokenClassifier ca = ma.classifier(Encoder.Options.INFERENCE), cb = mb.classifier(Encoder.Options.INFERENCE);
        List<Example> fa = Tagger.features(ma.tokenizer(), ma.labels(), DataReaders.sentences(en, 16), 64, Tagger.headStride(64));
        for (Batch batch : Batches.sorted(fa, 8, ma.config().padTokenId())) {
            Encoder.Batch in = TokenClassifier.input(batch);
            INDArray la = ca.logits(in), lb = cb.logits(in);
            double worst = 0;
            for (int i = 0; i < in.size(); i++)
                for (int t = 0; t < in.length(); t++)
                    if (in.mask()[i][t] == 1)
                        for (int c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(la.getDouble(i, t, c) - lb.getDouble(i, t, c)));
            assertTrue(worst <= 1e-5, "max abs logit difference " + worst);
        }
    }

    @Test
    void everyHeadOfALayerPhysicallyAndOnTopOfAMask() throws Exception {
        Path m1 = tmp.resolve("m1"), p1 = tmp.resolve("p1"), p2 = tmp.resolve("p2"), m2 = tmp.resolve("m2");
        // mask one head, then physically prune all of layer 1 (+ 2:0): the mask keeps 0:2, layer 1 has no heads left
        assertEquals(0, cli("prune", "--model", run.toString(), "--prune", "0:2", "--output", m1.toString()));
        assertEquals(0, cli("prune", "--model", m1.toString(), "--prune", "1:0,1:1,1:2,1:3,2:0", "--mode", "physical", "--output", p1.toString()));
        EncoderConfig c = EncoderConfig.read(p1.resolve("config.json"));
        assertEquals(0, c.headsInLayer(1));
        assertEquals(java.util.Set.of(new HeadId(0, 2)), HeadMask.read(p1, c).masked());
        // the same heads masked only: identical outputs
        assertEquals(0, cli("prune", "--model", m1.toString(), "--prune", "1:0,1:1,1:2,1:3,2:0", "--output", m2.toString()));
        assertSameLogits(m2, p1);
        // pruning an already-pruned head again is skipped with a note
        assertEquals(0, cli("prune", "--model", p1.toString(), "--prune", "1:2,2:1", "--mode", "physical", "--output", p2.toString()));
        assertTrue(err.contains("already physically pruned, skipped: [1:2]"), err);
        assertEquals(List.of(0, 1), EncoderConfig.read(p2.resolve("config.json")).prunedHeads().get(2));
    }

    @Test
    void badInputsGiveClearMessages() throws Exception {
        Path other = tmp.resolve("other-heads.json");
        String j = Files.readString(heads).replace("\"num_hidden_layers\" : 3", "\"num_hidden_layers\" : 12");
        Files.writeString(other, j);
        assertEquals(2, cli("prune", "--model", run.toString(), "--heads", other.toString(), "--count", "2", "--output", tmp.resolve("x1").toString()));
        assertTrue(err.contains("other-heads.json") && err.contains("rows (num_hidden_layers)"), err);
        // a well-formed file for a 12 × 12 model
        Path big = tmp.resolve("big-heads.json");
        StringBuilder rows = new StringBuilder();
        for (int l = 0; l < 12; l++) rows.append(l == 0 ? "" : ",").append("[1,2,3,4,5,6,7,8,9,10,11,12]");
        Files.writeString(big, "{\"format\":\"headlens-heads/1\",\"num_hidden_layers\":12,\"num_attention_heads\":12,\"method\":\"gradient\","
                + "\"languages\":{\"en\":{\"tokens\":5,\"gradient\":{\"raw\":[" + rows + "]}}}}");
        assertEquals(2, cli("prune", "--model", run.toString(), "--heads", big.toString(), "--count", "2", "--output", tmp.resolve("x2").toString()));
        assertTrue(err.contains("12 layers × 12 heads, but the model has 3 layers × 4 heads"), err);
        assertEquals(2, cli("prune", "--model", run.toString(), "--heads", heads.toString(), "--count", "13", "--output", tmp.resolve("x3").toString()));
        assertTrue(err.contains("cannot prune 13 heads: the model has only 12 heads left"), err);
        assertEquals(2, cli("prune", "--model", run.toString(), "--prune", "3:1", "--output", tmp.resolve("x4").toString()));
        assertTrue(err.contains("head 3:1 does not exist"), err);
        assertEquals(2, cli("prune", "--model", run.toString(), "--prune", "1-2", "--output", tmp.resolve("x5").toString()));
        assertTrue(err.contains("'1-2' is not of the form LAYER:HEAD"), err);
    }

}
