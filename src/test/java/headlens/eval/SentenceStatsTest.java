package headlens.eval;

import headlens.core.HeadlensException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Per-sentence sufficient statistics: hand-worked cases, and sums that must equal the pooled metrics. */
class SentenceStatsTest {

    @Test
    void accuracyPerSentence() {
        List<List<String>> gold = List.of(List.of("DET", "NOUN", "VERB"), List.of("PRON", "VERB"), List.of("X"));
        List<List<String>> pred = List.of(List.of("DET", "VERB", "VERB"), List.of("PRON", "VERB"), List.of("NOUN"));
        SentenceStats s = SentenceStats.accuracy(gold, pred);
        assertArrayEquals(new int[]{2, 2, 0}, s.columns()[0]);
        assertArrayEquals(new int[]{3, 2, 1}, s.columns()[1]);
        assertEquals(4.0 / 6, s.value(), 1e-15);
        assertEquals(TokenAccuracy.evaluate(gold, pred).accuracy(), s.value(), 1e-15);
    }

    @Test
    void seqevalReadmeExamplePerSentence() {
        // seqeval README: gold MISC(3..6) + PER, predicted MISC(2..6) + PER: micro F1 0.5. Per sentence by hand:
        // sentence 0: the MISC spans differ -> tp 0, fp 1, fn 1; sentence 1: PER matches -> tp 1.
        List<List<String>> gold = List.of(List.of("O", "O", "O", "B-MISC", "I-MISC", "I-MISC", "O"), List.of("B-PER", "I-PER", "O"));
        List<List<String>> pred = List.of(List.of("O", "O", "B-MISC", "I-MISC", "I-MISC", "I-MISC", "O"), List.of("B-PER", "I-PER", "O"));
        SentenceStats s = SentenceStats.chunkF1(gold, pred, null);
        assertArrayEquals(new int[]{0, 1}, s.columns()[0]);
        assertArrayEquals(new int[]{1, 0}, s.columns()[1]);
        assertArrayEquals(new int[]{1, 0}, s.columns()[2]);
        assertEquals(0.5, s.value(), 1e-15);
        assertArrayEquals(new int[]{1, 1}, s.goldSizes());
    }

    @Test
    void sumsEqualPooledSeqevalOnRandomSequences() {
        // Ill-formed sequences included (I- after O, type changes, E-/S- prefixes): the summed per-sentence counts must be
        // the pooled counts of SeqevalMetrics in both modes.
        Random rnd = new Random(7);
        String[] labels = {"O", "O", "B-PER", "I-PER", "B-LOC", "I-LOC", "I-ORG", "B-ORG"};
        for (int trial = 0; trial < 50; trial++) {
            List<List<String>> gold = new ArrayList<>(), pred = new ArrayList<>(), goldIob2 = new ArrayList<>(), predIob2 = new ArrayList<>();
            for (int s = 0; s < 1 + rnd.nextInt(8); s++) {
                int n = 1 + rnd.nextInt(12);
                List<String> g = new ArrayList<>(), p = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    g.add(labels[rnd.nextInt(labels.length)]);
                    p.add(rnd.nextDouble() < 0.6 ? g.get(i) : labels[rnd.nextInt(labels.length)]);
                }
                gold.add(g);
                pred.add(p);
                goldIob2.add(g.stream().map(x -> x.equals("I-ORG") ? "B-ORG" : x).toList());
                predIob2.add(p.stream().map(x -> x.equals("I-ORG") ? "B-ORG" : x).toList());
            }
            Prf micro = SeqevalMetrics.evaluate(gold, pred).micro();
            long[] sums = SentenceStats.chunkF1(gold, pred, null).sums();
            assertEquals(micro.correct(), sums[0], "tp");
            assertEquals(micro.predicted() - micro.correct(), sums[1], "fp");
            assertEquals(micro.support() - micro.correct(), sums[2], "fn");
            assertEquals(micro.f1(), SentenceStats.Kind.F1.metric(sums), 1e-12);
            Prf strict = SeqevalMetrics.evaluateStrict(goldIob2, predIob2, Scheme.IOB2).micro();
            long[] ss = SentenceStats.chunkF1(goldIob2, predIob2, Scheme.IOB2).sums();
            assertEquals(strict.correct(), ss[0]);
            assertEquals(strict.predicted() - strict.correct(), ss[1]);
            assertEquals(strict.support() - strict.correct(), ss[2]);
        }
    }

    @Test
    void paperPosF1AsSeqeval0012() {
        // seqeval 0.0.12 on UPOS, by hand: the first character is the prefix, the whole tag the type. NOUN NOUN VERB:
        // N is no B/I/E/S, so the two NOUNs make one chunk NOUN[0,1] and VERB[2] another; predicted NOUN VERB VERB gives
        // NOUN[0] and VERB[1,2]: no chunk matches (tp 0, fp 2, fn 2). SYM SYM: 'S' closes a chunk after each token, two
        // single-token chunks, both right (tp 2). F1 = 2*2 / (2*2 + 2 + 2) = 0.5, while token accuracy is 4/5.
        List<List<String>> gold = List.of(List.of("NOUN", "NOUN", "VERB"), List.of("SYM", "SYM"));
        List<List<String>> pred = List.of(List.of("NOUN", "VERB", "VERB"), List.of("SYM", "SYM"));
        SentenceStats s = SentenceStats.paperPosF1(gold, pred);
        assertArrayEquals(new int[]{0, 2}, s.columns()[0]);
        assertArrayEquals(new int[]{2, 0}, s.columns()[1]);
        assertArrayEquals(new int[]{2, 0}, s.columns()[2]);
        assertEquals(0.5, s.value(), 1e-15);
        assertEquals(0.8, SentenceStats.accuracy(gold, pred).value(), 1e-15);
    }

    @Test
    void paperPosF1SumsToRealSeqeval0012() throws Exception {
        // golden-seqeval0012/random-upos.txt(.seqeval): 300 random UPOS sentences scored by the real seqeval 0.0.12:
        // gold 2062, predicted 2424, correct 1393 entities, f1 0.6210432456531431
        String text;
        try (var in = SentenceStatsTest.class.getResourceAsStream("/headlens/eval/golden-seqeval0012/random-upos.txt")) {
            text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        ConllevalGoldenTest.Pairs pairs = ConllevalGoldenTest.pairs(text);
        List<List<String>> gold = pairs.gold(), pred = pairs.pred();
        assertEquals(300, gold.size());
        SentenceStats s = SentenceStats.paperPosF1(gold, pred);
        long[] sums = s.sums();
        assertEquals(1393, sums[0]);
        assertEquals(2424, sums[0] + sums[1]);
        assertEquals(2062, sums[0] + sums[2]);
        assertEquals(0.6210432456531431, s.value(), 1e-15);
    }

    @Test
    void seqeval0012KeepsCconjAndSconjApart() {
        // seqeval 1.x types a label by the text after its first character: CCONJ and SCONJ both become "CONJ", so a
        // CCONJ predicted as SCONJ would count as a correct chunk; 0.0.12 (the paper's) types by the whole tag: no match.
        List<List<String>> gold = List.of(List.of("CCONJ"));
        List<List<String>> pred = List.of(List.of("SCONJ"));
        assertArrayEquals(new int[]{1}, SentenceStats.chunkF1(gold, pred, null).columns()[0]);
        SentenceStats paper = SentenceStats.paperPosF1(gold, pred);
        assertArrayEquals(new int[]{0}, paper.columns()[0]);
        assertEquals(0, paper.value());
    }

    @Test
    void pairingChecksTheGoldSide() {
        SentenceStats a = SentenceStats.accuracy(List.of(List.of("A", "B"), List.of("C")), List.of(List.of("A", "A"), List.of("C")));
        SentenceStats b = SentenceStats.accuracy(List.of(List.of("A"), List.of("C", "D")), List.of(List.of("A"), List.of("C", "C")));
        HeadlensException e = assertThrows(HeadlensException.class, () -> a.checkPairedWith(b, "x vs y"));
        assertEquals("x vs y: the gold side differs at sentence(s) [0, 1] (not the same evaluation sentences, or not in the same order)", e.getMessage());
        assertThrows(HeadlensException.class, () -> a.checkPairedWith(SentenceStats.chunkF1(List.of(List.of("O"), List.of("O")),
                List.of(List.of("O"), List.of("O")), null), "m"));
    }
}
