package headlens.eval;

import headlens.core.HeadlensException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Entity P/R/F1 against seqeval's documented examples (README and docstrings of seqeval 1.2) and hand-worked cases.
 */
class SeqevalMetricsTest {
    private static final double EPS = 1e-12;

    // seqeval README / f1_score docstring
    private static final List<List<String>> README_TRUE = List.of(
            List.of("O", "O", "O", "B-MISC", "I-MISC", "I-MISC", "O"), List.of("B-PER", "I-PER", "O"));
    private static final List<List<String>> README_PRED = List.of(
            List.of("O", "O", "B-MISC", "I-MISC", "I-MISC", "I-MISC", "O"), List.of("B-PER", "I-PER", "O"));

    @Test
    void readmeExampleDefaultMode() {
        // README: f1_score = precision_score = recall_score = 0.50; classification_report:
        //   MISC 0.00 0.00 0.00 support 1; PER 1.00 1.00 1.00 support 1; micro/macro/weighted avg 0.50 0.50 0.50, support 2.
        // By hand: gold MISC(3..6) PER(7..9 in the concatenation); predicted MISC(2..6) is wrong, PER right: 1/2, 1/2.
        EntityScores s = SeqevalMetrics.evaluate(README_TRUE, README_PRED);
        assertPrf(s.micro(), 0.5, 0.5, 0.5, 2);
        assertPrf(s.perType().get("MISC"), 0, 0, 0, 1);
        assertPrf(s.perType().get("PER"), 1, 1, 1, 1);
        assertPrf(s.macro(), 0.5, 0.5, 0.5, 2);
        assertPrf(s.weighted(), 0.5, 0.5, 0.5, 2);
        assertEquals(List.of("MISC", "PER"), List.copyOf(s.perType().keySet()));
    }

    @Test
    void readmeExampleStrictIob2() {
        // README: classification_report(y_true, y_pred, mode='strict', scheme=IOB2) prints the same table as the default.
        EntityScores s = SeqevalMetrics.evaluateStrict(README_TRUE, README_PRED, Scheme.IOB2);
        assertPrf(s.micro(), 0.5, 0.5, 0.5, 2);
        assertPrf(s.perType().get("MISC"), 0, 0, 0, 1);
        assertPrf(s.perType().get("PER"), 1, 1, 1, 1);
    }

    @Test
    void readmeAccuracyScore() {
        // README: accuracy_score(y_true, y_pred) = 0.80. By hand: 10 tokens; sentence 1 differs at index 2 (O vs B-MISC)
        // and index 3 (B-MISC vs I-MISC): 8/10.
        assertEquals(0.8, TokenAccuracy.evaluate(README_TRUE, README_PRED).accuracy(), EPS);
    }

    @Test
    void getEntitiesDocstring() {
        // get_entities(['B-PER', 'I-PER', 'O', 'B-LOC']) == [('PER', 0, 1), ('LOC', 3, 3)] (inclusive ends; ours exclusive)
        assertEquals(List.of(new Chunk("PER", -1, 0, 2), new Chunk("LOC", -1, 3, 4)),
                ChunkDecoder.conlleval(List.of(List.of("B-PER", "I-PER", "O", "B-LOC"))));
    }

    @Test
    void conllevalRepairsIllFormedSequencesStrictDoesNot() {
        // y_true = [[B-NP, I-NP, O]], y_pred = [[I-NP, I-NP, O]].
        // conlleval: an I- after O opens a chunk, so the prediction is NP(0..2) = gold: P = R = F1 = 1.
        // strict IOB2: a chunk must open with B-; the prediction has no chunk: P = 0 (0/0 -> 0), R = 0/1, F1 = 0.
        List<List<String>> gold = List.of(List.of("B-NP", "I-NP", "O"));
        List<List<String>> pred = List.of(List.of("I-NP", "I-NP", "O"));
        assertPrf(SeqevalMetrics.evaluate(gold, pred).micro(), 1, 1, 1, 1);
        EntityScores strict = SeqevalMetrics.evaluateStrict(gold, pred, Scheme.IOB2);
        assertPrf(strict.micro(), 0, 0, 0, 1);
        assertEquals(0, strict.micro().predicted());
    }

    @Test
    void conllevalChunkBoundaries() {
        // type change ends a chunk and starts another; B- after I- of the same type starts a new chunk (IOB1 style);
        // E-/S- (BIOES) close chunks.
        assertEquals(List.of(new Chunk("PER", -1, 0, 1), new Chunk("LOC", -1, 1, 2)),
                ChunkDecoder.conlleval(List.of(List.of("B-PER", "I-LOC"))));
        assertEquals(List.of(new Chunk("PER", -1, 0, 2), new Chunk("PER", -1, 2, 3)),
                ChunkDecoder.conlleval(List.of(List.of("I-PER", "I-PER", "B-PER"))));
        assertEquals(List.of(new Chunk("PER", -1, 0, 1), new Chunk("LOC", -1, 1, 3), new Chunk("LOC", -1, 3, 4)),
                ChunkDecoder.conlleval(List.of(List.of("S-PER", "B-LOC", "E-LOC", "S-LOC", "O"))));
        // sentences are concatenated with an O between them: a chunk never spans two sentences
        assertEquals(List.of(new Chunk("PER", -1, 0, 1), new Chunk("PER", -1, 2, 3)),
                ChunkDecoder.conlleval(List.of(List.of("I-PER"), List.of("I-PER"))));
        // types with '-' and '/' survive (xSID: B-reference-part, B-weather/attribute)
        assertEquals(List.of(new Chunk("reference-part", -1, 0, 2), new Chunk("weather/attribute", -1, 2, 3)),
                ChunkDecoder.conlleval(List.of(List.of("B-reference-part", "I-reference-part", "B-weather/attribute"))));
    }

    @Test
    void handWorkedMultiType() {
        // gold: PER(0,2) LOC(3,4) | ORG(0,1) LOC(2,4)            -> 4 entities (PER 1, LOC 2, ORG 1)
        // pred: PER(0,2) LOC(3,4) | PER(0,1) LOC(2,3) MISC(3,4)  -> 5 entities
        // correct: PER(0,2), LOC(3,4) -> 2.  micro P = 2/5, R = 2/4, F1 = 2*.4*.5/.9 = 4/9
        // per type: PER P 1/2 R 1/1 F 2/3; LOC P 1/2 R 1/2 F 1/2; ORG P 0 (0/0) R 0/1 F 0; MISC P 0/1 R 0 (0/0) F 0
        // macro over {LOC, MISC, ORG, PER}: P = (.5+0+0+.5)/4 = .25; R = (.5+0+0+1)/4 = .375; F = (.5+0+0+2/3)/4 = 7/24
        // weighted by support (LOC 2, MISC 0, ORG 1, PER 1; total 4): P = (2*.5+1*.5)/4 = .375, R = (2*.5+1)/4 = .5,
        //   F = (2*.5 + 2/3)/4 = 5/12
        List<List<String>> gold = List.of(List.of("B-PER", "I-PER", "O", "B-LOC"), List.of("B-ORG", "O", "B-LOC", "I-LOC"));
        List<List<String>> pred = List.of(List.of("B-PER", "I-PER", "O", "B-LOC"), List.of("B-PER", "O", "B-LOC", "B-MISC"));
        EntityScores s = SeqevalMetrics.evaluate(gold, pred);
        assertPrf(s.micro(), 0.4, 0.5, 4.0 / 9, 4);
        assertPrf(s.perType().get("PER"), 0.5, 1, 2.0 / 3, 1);
        assertPrf(s.perType().get("LOC"), 0.5, 0.5, 0.5, 2);
        assertPrf(s.perType().get("ORG"), 0, 0, 0, 1);
        assertPrf(s.perType().get("MISC"), 0, 0, 0, 0);
        assertPrf(s.macro(), 0.25, 0.375, 7.0 / 24, 4);
        assertPrf(s.weighted(), 0.375, 0.5, 5.0 / 12, 4);
        // strict IOB2 gives the same here: every chunk is well-formed
        assertEquals(s.micro(), SeqevalMetrics.evaluateStrict(gold, pred, Scheme.IOB2).micro());
    }

    @Test
    void iobesStrictVsDefault() {
        // gold S-PER | B-LOC E-LOC; pred B-PER (unclosed) | B-LOC E-LOC.
        // default: B-PER followed by the sentence-end O is a PER chunk (0,1) = gold S-PER -> 2/2 correct.
        // strict IOBES: B-PER must be closed by E-PER; it is dropped -> P = 1/1, R = 1/2, F1 = 2/3.
        List<List<String>> gold = List.of(List.of("S-PER"), List.of("B-LOC", "E-LOC"));
        List<List<String>> pred = List.of(List.of("B-PER"), List.of("B-LOC", "E-LOC"));
        assertPrf(SeqevalMetrics.evaluate(gold, pred).micro(), 1, 1, 1, 2);
        assertPrf(SeqevalMetrics.evaluateStrict(gold, pred, Scheme.IOBES).micro(), 1, 0.5, 2.0 / 3, 2);
    }

    @Test
    void noEntitiesGivesZeros() {
        List<List<String>> all = List.of(List.of("O", "O"));
        EntityScores s = SeqevalMetrics.evaluate(all, all);
        assertPrf(s.micro(), 0, 0, 0, 0);
        assertEquals(0, s.perType().size());
    }

    @Test
    void strictRejectsPrefixOutsideScheme() {
        HeadlensException e = assertThrows(HeadlensException.class,
                () -> SeqevalMetrics.evaluateStrict(List.of(List.of("E-PER")), List.of(List.of("O")), Scheme.IOB2));
        assertEquals(true, e.getMessage().contains("E-PER"));
        assertThrows(HeadlensException.class, () -> Scheme.parse("bilou"));
        assertEquals(Scheme.IOBES, Scheme.parse("bioes"));
    }

    @Test
    void shapeMismatchIsAnError() {
        assertThrows(IllegalArgumentException.class,
                () -> SeqevalMetrics.evaluate(List.of(List.of("O")), List.of(List.of("O", "O"))));
    }

    static void assertPrf(Prf p, double precision, double recall, double f1, int support) {
        assertEquals(precision, p.precision(), EPS, "precision");
        assertEquals(recall, p.recall(), EPS, "recall");
        assertEquals(f1, p.f1(), EPS, "f1");
        assertEquals(support, p.support(), "support");
    }
}
