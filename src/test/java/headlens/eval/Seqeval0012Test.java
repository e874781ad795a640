package headlens.eval;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static headlens.eval.ChunkDecoder.Reading.V0_0_12;
import static headlens.eval.ChunkDecoder.Reading.V1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * seqeval 0.0.12 ({@code seqeval/metrics/sequence_labeling.py} at tag v0.0.12: {@code get_entities}, {@code end_of_chunk},
 * {@code start_of_chunk}, {@code f1_score}) worked by hand, mostly over UPOS tags as the reproduced paper scored POS,
 * and the real seqeval 0.0.12 on a seeded random UPOS file (golden-seqeval0012/README.md).
 * In 0.0.12 {@code tag = chunk[0]}, {@code type_ = chunk.split('-')[-1]}; sentences are joined with an 'O' after each
 * and one more 'O' closes the sequence; chunks are (type, first, last) and scores count exact matches of those sets.
 */
class Seqeval0012Test {
    private static final double EPS = 1e-12;

    private static List<Chunk> chunks(List<List<String>> sentences) {
        return ChunkDecoder.conlleval(sentences, V0_0_12);
    }

    private static Chunk c(String type, int first, int last) {
        return new Chunk(type, -1, first, last + 1);   // seqeval's inclusive last → our exclusive end
    }

    @Test
    void runsOfOneTagAreChunksAndSentencesNeverJoin() {
        // DET NOUN NOUN VERB PUNCT | NOUN: each type change ends a chunk (prev tag not O/'.', types differ) and starts one
        // (tag not O/'.', types differ); NOUN→NOUN neither ends nor starts. The 'O' after each sentence ends PUNCT and
        // keeps the two NOUN runs apart.
        assertEquals(List.of(c("DET", 0, 0), c("NOUN", 1, 2), c("VERB", 3, 3), c("PUNCT", 4, 4), c("NOUN", 6, 6)),
                chunks(List.of(List.of("DET", "NOUN", "NOUN", "VERB", "PUNCT"), List.of("NOUN"))));
    }

    @Test
    void tagsReadAsPrefixSAreSingleTokenChunks() {
        // SCONJ SCONJ SYM: prev tag 'S' always ends a chunk, tag 'S' always starts one.
        assertEquals(List.of(c("SCONJ", 0, 0), c("SCONJ", 1, 1), c("SYM", 2, 2)),
                chunks(List.of(List.of("SCONJ", "SCONJ", "SYM"))));
        // INTJ is read as an I- tag: O→I starts, I→I of the same type continues, a type change ends.
        assertEquals(List.of(c("INTJ", 0, 1), c("PUNCT", 2, 2)), chunks(List.of(List.of("INTJ", "INTJ", "PUNCT"))));
    }

    @Test
    void typeIsTheWholeTagNotItsTail() {
        // 0.0.12: CCONJ and SCONJ are different types. 1.x reads both as CONJ ("chunk[1:]"): CCONJ then SCONJ is one
        // CONJ chunk started twice (tag 'S' restarts it without ending the first), so only (CONJ, 1, 1) is emitted.
        assertEquals(List.of(c("CCONJ", 0, 0), c("SCONJ", 1, 1)), chunks(List.of(List.of("CCONJ", "SCONJ"))));
        assertEquals(List.of(c("CONJ", 1, 1)), ChunkDecoder.conlleval(List.of(List.of("CCONJ", "SCONJ")), V1));
        // 'X' is its own type in 0.0.12. 1.x reads it as type '_', the type it also gives 'O', so the 'O' after the
        // sentence does not end the chunk and it is never emitted.
        assertEquals(List.of(c("X", 0, 0)), chunks(List.of(List.of("X"))));
        assertEquals(List.of(), ChunkDecoder.conlleval(List.of(List.of("X")), V1));
        // with dashes the last field is the type
        assertEquals(List.of(c("X", 0, 1)), chunks(List.of(List.of("B-ORG-X", "I-ORG-X"))));
        assertEquals(List.of(c("ORG-X", 0, 1)), ChunkDecoder.conlleval(List.of(List.of("B-ORG-X", "I-ORG-X")), V1));
    }

    @Test
    void f1DocstringExample() {
        // the f1_score docstring at v0.0.12: 0.50 (MISC span differs, PER matches)
        List<List<String>> yTrue = List.of(List.of("O", "O", "O", "B-MISC", "I-MISC", "I-MISC", "O"), List.of("B-PER", "I-PER", "O"));
        List<List<String>> yPred = List.of(List.of("O", "O", "B-MISC", "I-MISC", "I-MISC", "I-MISC", "O"), List.of("B-PER", "I-PER", "O"));
        assertEquals(0.5, SeqevalMetrics.evaluateSeqeval0012(yTrue, yPred).micro().f1(), EPS);
    }

    @Test
    void posF1IsAChunkScoreNotTokenAccuracy() {
        // gold DET NOUN NOUN VERB PUNCT → {DET 0-0, NOUN 1-2, VERB 3-3, PUNCT 4-4}
        // pred DET NOUN VERB VERB PUNCT → {DET 0-0, NOUN 1-1, VERB 2-3, PUNCT 4-4}: 2 of 4 match → P = R = F1 = 0.5,
        // while 4 of 5 tokens are right.
        List<List<String>> gold = List.of(List.of("DET", "NOUN", "NOUN", "VERB", "PUNCT"));
        List<List<String>> pred = List.of(List.of("DET", "NOUN", "VERB", "VERB", "PUNCT"));
        EntityScores s = SeqevalMetrics.evaluateSeqeval0012(gold, pred);
        assertPrf(s.micro(), 0.5, 0.5, 0.5, 4, 4, 2);
        assertEquals(0.8, TokenAccuracy.evaluate(gold, pred).accuracy(), EPS);
        // one wrong INTJ boundary loses both chunks: {INTJ 0-1, PUNCT 2-2} vs {INTJ 0-0, PUNCT 1-2}
        assertPrf(SeqevalMetrics.evaluateSeqeval0012(List.of(List.of("INTJ", "INTJ", "PUNCT")),
                List.of(List.of("INTJ", "PUNCT", "PUNCT"))).micro(), 0, 0, 0, 2, 2, 0);
    }

    @Test
    void microOverSentencesWithUnequalCounts() {
        // gold [DET NOUN NOUN][PRON VERB] → DET 0-0, NOUN 1-2, PRON 4-4, VERB 5-5 (4 chunks; 3 is the separator)
        // pred [DET ADJ NOUN][PRON VERB] → DET 0-0, ADJ 1-1, NOUN 2-2, PRON 4-4, VERB 5-5 (5 chunks), 3 match
        // P = 3/5, R = 3/4, F1 = 2·0.6·0.75 / 1.35 = 2/3; per type NOUN: support 1, predicted 1, correct 0.
        EntityScores s = SeqevalMetrics.evaluateSeqeval0012(
                List.of(List.of("DET", "NOUN", "NOUN"), List.of("PRON", "VERB")),
                List.of(List.of("DET", "ADJ", "NOUN"), List.of("PRON", "VERB")));
        assertPrf(s.micro(), 0.6, 0.75, 2.0 / 3, 4, 5, 3);
        assertPrf(s.perType().get("NOUN"), 0, 0, 0, 1, 1, 0);
        assertPrf(s.perType().get("ADJ"), 0, 0, 0, 0, 1, 0);
        assertEquals(List.of("ADJ", "DET", "NOUN", "PRON", "VERB"), List.copyOf(s.perType().keySet()));
    }

    @Test
    void cconjForSconjIsAnErrorIn0012ButNotIn1x() {
        // gold NOUN CCONJ NOUN, pred NOUN SCONJ NOUN: 0.0.12 matches NOUN 0-0 and NOUN 2-2 only → 2/3.
        // 1.x reads CCONJ and SCONJ as CONJ; both sides decode to {OUN 0-0, CONJ 1-1, OUN 2-2} → 1.0.
        List<List<String>> gold = List.of(List.of("NOUN", "CCONJ", "NOUN")), pred = List.of(List.of("NOUN", "SCONJ", "NOUN"));
        assertEquals(2.0 / 3, SeqevalMetrics.evaluateSeqeval0012(gold, pred).micro().f1(), EPS);
        assertEquals(1.0, SeqevalMetrics.evaluate(gold, pred).micro().f1(), EPS);
    }

    @Test
    void matchesSeqeval0012OnRandomUpos() throws IOException {
        ConllevalGoldenTest.Pairs pairs = ConllevalGoldenTest.pairs(resource("random-upos.txt"));
        List<List<String>> gold = pairs.gold(), pred = pairs.pred();
        assertEquals(300, gold.size());

        Map<String, String> expected = new HashMap<>();
        Map<String, int[]> types = new HashMap<>();
        for (String line : resource("random-upos.txt.seqeval").split("\n")) {
            String[] f = line.split(" ");
            if (f[0].equals("type")) types.put(f[1], new int[]{Integer.parseInt(f[2]), Integer.parseInt(f[3]), Integer.parseInt(f[4])});
            else expected.put(f[0], f[1]);
        }
        EntityScores s = SeqevalMetrics.evaluateSeqeval0012(gold, pred);
        assertEquals(Integer.parseInt(expected.get("gold")), s.micro().support(), "gold entities");
        assertEquals(Integer.parseInt(expected.get("predicted")), s.micro().predicted(), "predicted entities");
        assertEquals(Integer.parseInt(expected.get("correct")), s.micro().correct(), "correct entities");
        assertEquals(Double.parseDouble(expected.get("precision")), s.micro().precision(), EPS);
        assertEquals(Double.parseDouble(expected.get("recall")), s.micro().recall(), EPS);
        assertEquals(Double.parseDouble(expected.get("f1")), s.micro().f1(), EPS);
        assertEquals(types.keySet(), s.perType().keySet());
        types.forEach((t, n) -> {
            Prf prf = s.perType().get(t);
            assertEquals(n[0], prf.support(), t);
            assertEquals(n[1], prf.predicted(), t);
            assertEquals(n[2], prf.correct(), t);
        });
        // the fixture tells the versions apart: 1.x merges CCONJ/SCONJ and drops X chunks
        assertNotEquals(s.micro().correct(), SeqevalMetrics.evaluate(gold, pred).micro().correct());
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = Seqeval0012Test.class.getResourceAsStream("/headlens/eval/golden-seqeval0012/" + name)) {
            assertNotNull(in, name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void shapesAreChecked() {
        assertThrows(IllegalArgumentException.class,
                () -> SeqevalMetrics.evaluateSeqeval0012(List.of(List.of("NOUN")), List.of(List.of("NOUN", "VERB"))));
    }

    private static void assertPrf(Prf p, double precision, double recall, double f1, int support, int predicted, int correct) {
        assertEquals(precision, p.precision(), EPS, "precision");
        assertEquals(recall, p.recall(), EPS, "recall");
        assertEquals(f1, p.f1(), EPS, "f1");
        assertEquals(support, p.support(), "support");
        assertEquals(predicted, p.predicted(), "predicted");
        assertEquals(correct, p.correct(), "correct");
    }
}
