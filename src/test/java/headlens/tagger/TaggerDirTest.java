package headlens.tagger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import headlens.config.EncoderConfig;
import headlens.core.HeadlensException;
import headlens.data.LabelMap;
import headlens.eval.Task;
import headlens.heads.TinyTagger;
import headlens.model.Encoder;
import headlens.model.HeadId;
import headlens.model.HeadMask;
import headlens.testing.TinyRunDir;
import headlens.train.TokenClassifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** A tagger's model directory: written, loaded back (labels, task, classifier, mask), and refused with the file named. */
class TaggerDirTest {
    @TempDir Path tmp;

    @Test
    void writtenTaggerLoadsBackWithItsLabelsTaskAndWeights() throws Exception {
        Path src = TinyRunDir.create(tmp.resolve("src"));
        TaggerDir a = TaggerDir.load(src);
        TokenClassifier clf = a.classifier(Encoder.Options.INFERENCE);
        LabelMap labels = new LabelMap(List.of("O", "B-LOC", "I-LOC"));
        Path run = tmp.resolve("run");
        TaggerDir.write(run, TinyTagger.config(), clf, labels, Task.SLOT, List.of(src.resolve("vocab.txt")));
        JsonNode cfg = new ObjectMapper().readTree(run.resolve("config.json").toFile());
        assertEquals("slot", cfg.get(TaggerDir.TASK_FIELD).asText());
        assertEquals("B-LOC", cfg.at("/id2label/1").asText());
        assertEquals(2, cfg.at("/label2id/I-LOC").asInt());
        assertEquals("XLMRobertaForTokenClassification", cfg.at("/architectures/0").asText());
        TaggerDir b = TaggerDir.load(run);
        assertEquals(labels, b.labels());
        assertEquals(Task.SLOT, b.task());   // declared: wins over what the labels suggest
        assertTrue(b.mask().isEmpty());
        float[] w = b.source().weights().get(TokenClassifier.WEIGHT).castTo(DataType.FLOAT).dup('c').data().asFloat();
        float[] want = clf.sd().getVariable(TokenClassifier.WEIGHT).getArr().castTo(DataType.FLOAT).dup('c').data().asFloat();
        assertArrayEquals(want, w);
    }

    @Test
    void theMaskIsAppliedToTheClassifier() throws Exception {
        Path src = TinyRunDir.create(tmp.resolve("src"));
        TaggerDir a = TaggerDir.load(src);
        Path masked = tmp.resolve("masked");
        ModelDir.write(masked, a.config(), a.source().weights(), List.of(src.resolve("vocab.txt")), new HeadMask(Set.of(new HeadId(2, 1))));
        TaggerDir m = TaggerDir.load(masked);
        assertEquals(Set.of(new HeadId(2, 1)), m.mask().masked());
        float[][] g = m.classifier(Encoder.Options.INFERENCE).encoder().gates();
        assertEquals(0f, g[2][1]);
        assertEquals(1f, g[2][0]);
        assertEquals(1f, g[0][1]);
    }

    @Test
    void badLabelMapsNameTheFile() throws Exception {
        Path pre = TinyRunDir.createPretrained(tmp.resolve("pre"));
        HeadlensException e = assertThrows(HeadlensException.class, () -> TaggerDir.load(pre));
        assertTrue(e.getMessage().contains(pre.resolve("config.json") + ": no id2label"), e.getMessage());
        Path src = TinyRunDir.create(tmp.resolve("src"));
        ObjectNode cfg = (ObjectNode) new ObjectMapper().readTree(src.resolve("config.json").toFile());
        ((ObjectNode) cfg.get("id2label")).remove("1");
        ((ObjectNode) cfg.get("id2label")).put("7", "B-PER");
        Files.writeString(src.resolve("config.json"), cfg.toString());
        e = assertThrows(HeadlensException.class, () -> TaggerDir.load(src));
        assertTrue(e.getMessage().contains("config.json: id2label has no label for id 1"), e.getMessage());
        ((ObjectNode) cfg.get("id2label")).remove("7");
        ((ObjectNode) cfg.get("id2label")).put("1", "O");
        Files.writeString(src.resolve("config.json"), cfg.toString());
        e = assertThrows(HeadlensException.class, () -> TaggerDir.load(src));
        assertTrue(e.getMessage().contains("config.json: id2label: label map: label 'O' appears twice"), e.getMessage());
    }

    /** Taggers saved without a task (the sweep's work/base before this field, hand-made ones) are read by their labels. */
    @Test
    void anUndeclaredTaskComesFromTheLabels() throws Exception {
        Path src = TinyRunDir.create(tmp.resolve("src"));
        assertEquals(Task.NER, TaggerDir.load(src).task());
        ObjectNode cfg = (ObjectNode) new ObjectMapper().readTree(src.resolve("config.json").toFile());
        ObjectNode id2 = cfg.putObject("id2label");
        id2.put("0", "NOUN").put("1", "VERB").put("2", "DET");
        Files.writeString(src.resolve("config.json"), cfg.toString());
        assertEquals(Task.POS, TaggerDir.load(src).task());
        EncoderConfig c = EncoderConfig.fromJson(cfg, "x");
        assertEquals(new LabelMap(List.of("NOUN", "VERB", "DET")), TaggerDir.labels(c, src));
    }
}
