package headlens.eval;

import org.junit.jupiter.api.Test;

import java.util.List;

import static headlens.eval.SeqevalMetricsTest.assertPrf;
import static org.junit.jupiter.api.Assertions.assertEquals;

class TokenAccuracyTest {
    @Test
    void handWorked() {
        // gold NOUN VERB NOUN | DET NOUN ; pred NOUN NOUN NOUN | DET VERB -> 3 of 5 correct = 0.6
        // NOUN: gold 3, predicted 4 (tokens 0,1,2 of s1... s1 all NOUN = 3, s2 none), correct 2 -> P 2/3, R 2/3
        // VERB: gold 1, predicted 1 (s2 tok 1), correct 0; DET: gold 1, predicted 1, correct 1
        List<List<String>> gold = List.of(List.of("NOUN", "VERB", "NOUN"), List.of("DET", "NOUN"));
        List<List<String>> pred = List.of(List.of("NOUN", "NOUN", "NOUN"), List.of("DET", "VERB"));
        TokenScores s = TokenAccuracy.evaluate(gold, pred);
        assertEquals(0.6, s.accuracy(), 1e-12);
        assertEquals(3, s.correct());
        assertEquals(5, s.total());
        assertPrf(s.perLabel().get("NOUN"), 2.0 / 3, 2.0 / 3, 2.0 / 3, 3);
        assertPrf(s.perLabel().get("VERB"), 0, 0, 0, 1);
        assertPrf(s.perLabel().get("DET"), 1, 1, 1, 1);
        assertEquals(List.of("DET", "NOUN", "VERB"), List.copyOf(s.perLabel().keySet()));
    }
}
