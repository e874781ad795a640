package headlens.eval;

import headlens.core.HeadlensException;
import headlens.data.LabelMap;
import headlens.data.Sentence;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The one metric rule: declared task first, else B-/I- prefixes; accuracy for POS, entity F1 otherwise. */
class TaskTest {
    static final LabelMap UPOS = LabelMap.ofLabels(List.of("ADJ", "ADP", "NOUN", "PUNCT", "VERB"));
    static final LabelMap WIKIANN = LabelMap.ofLabels(List.of("O", "B-PER", "I-PER", "B-LOC", "I-LOC"));
    static final LabelMap ONLY_INSIDE = LabelMap.ofLabels(List.of("O", "I-ORG"));   // IOB1 data may lack B- tags

    @Test
    void undeclaredTaskIsReadOffTheLabels() {
        assertEquals(Task.POS, Task.inferred(UPOS));
        assertEquals(Task.NER, Task.inferred(WIKIANN));
        assertEquals(Task.NER, Task.inferred(ONLY_INSIDE));
        // a tag that merely contains "B-" or ends with "-I" is not a prefix
        assertEquals(Task.POS, Task.inferred(LabelMap.ofLabels(List.of("NN", "X-B-", "SYM"))));
        assertEquals(Task.POS, Task.of(null, UPOS, "x"));
        assertEquals(Task.NER, Task.of(null, WIKIANN, "x"));
    }

    @Test
    void aDeclaredTaskWinsOverTheLabels() {
        assertEquals(Task.SLOT, Task.of("slot", WIKIANN, "x"));
        assertEquals(Task.POS, Task.of("pos", WIKIANN, "x"));
        assertEquals(Task.NER, Task.of("ner", UPOS, "x"));
        HeadlensException e = assertThrows(HeadlensException.class, () -> Task.of("chunk", UPOS, "run/config.json: headlens_task"));
        assertEquals("run/config.json: headlens_task: task must be pos, ner or slot, not 'chunk'", e.getMessage());
    }

    @Test
    void metricsAndNames() {
        assertEquals(Report.Kind.TOKEN_ACCURACY, Task.POS.metric());
        assertEquals(Report.Kind.ENTITY_F1, Task.NER.metric());
        assertEquals(Report.Kind.ENTITY_F1, Task.SLOT.metric());
        assertEquals(List.of("pos", "ner", "slot"), List.of(Task.POS.id(), Task.NER.id(), Task.SLOT.id()));
        assertEquals("accuracy", Task.POS.metricName());
        assertEquals("f1", Task.SLOT.metricName());
        assertFalse(Task.POS.hasEntities());
        assertTrue(Task.NER.hasEntities());
    }

    /** The headline number, by hand: 3 of 4 tokens right; one of two gold entities found, one spurious (P = R = F1 = 1/2). */
    @Test
    void scoreIsAccuracyOrEntityMicroF1() {
        Sentence pos = new Sentence(List.of("a", "b", "c", "d"), List.of("NOUN", "VERB", "DET", "NOUN"), "en", "t");
        Report acc = Report.evaluate("pos", Task.POS.metric(), null, List.of(pos), List.of(List.of("NOUN", "VERB", "NOUN", "NOUN")));
        assertEquals(0.75, Task.score(acc), 1e-12);
        Sentence ner = new Sentence(List.of("a", "b", "c", "d"), List.of("B-PER", "O", "B-LOC", "O"), "en", "t");
        Report f1 = Report.evaluate("ner", Task.NER.metric(), null, List.of(ner), List.of(List.of("B-PER", "O", "O", "B-ORG")));
        assertEquals(0.5, Task.score(f1), 1e-12);
    }
}
