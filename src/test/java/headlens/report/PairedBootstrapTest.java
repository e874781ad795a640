package headlens.report;

import headlens.core.HeadlensException;
import headlens.eval.SentenceStats;
import headlens.eval.SeqevalMetrics;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The paired bootstrap against independent computations: a distribution enumerated by hand, every resample of a tiny
 * set re-scored from scratch with {@link SeqevalMetrics}, the random sampler against that exact distribution, and the
 * interval of a difference of accuracies against the analytic normal (delta-method) interval on a large sample.
 */
class PairedBootstrapTest {

    /** Every n^n ordered resample of n sentences (each has probability n^-n). */
    static Iterator<int[]> all(int n) {
        int total = (int) Math.pow(n, n);
        return new Iterator<>() {
            int next;

            @Override public boolean hasNext() { return next < total; }

            @Override public int[] next() {
                int[] idx = new int[n];
                for (int i = 0, v = next++; i < n; i++, v /= n) idx[i] = v % n;
                return idx;
            }
        };
    }

    @Test
    void handEnumeratedDistribution() {
        // Two one-word sentences. A: right, wrong; B: wrong, wrong. Resamples (1,1): A 1, B 0 -> 1; (1,2), (2,1): A 1/2 -> 1/2;
        // (2,2): 0. So the differences are {0, 1/2, 1/2, 1}, and the type-7 2.5% / 97.5% quantiles of that list are
        // 0 + 0.075 * 0.5 = 0.0375 and 1 - 0.075 * 0.5 = 0.9625.
        SentenceStats a = new SentenceStats(SentenceStats.Kind.ACCURACY, new int[][]{{1, 0}, {1, 1}});
        SentenceStats b = new SentenceStats(SentenceStats.Kind.ACCURACY, new int[][]{{0, 0}, {1, 1}});
        double[] d = PairedBootstrap.differences(a, b, all(2));
        Arrays.sort(d);
        assertArrayEquals(new double[]{0, 0.5, 0.5, 1}, d, 0);
        assertEquals(0.0375, PairedBootstrap.percentile(d, 0.025), 1e-15);
        assertEquals(0.9625, PairedBootstrap.percentile(d, 0.975), 1e-15);
    }

    private static final List<List<String>> GOLD = List.of(
            List.of("B-PER", "I-PER", "O", "B-LOC"), List.of("O", "B-ORG", "I-ORG"), List.of("B-LOC", "O"), List.of("O", "O", "B-PER"));
    private static final List<List<String>> PRED_A = List.of(
            List.of("B-PER", "I-PER", "O", "B-LOC"), List.of("O", "B-ORG", "O"), List.of("B-LOC", "O"), List.of("O", "B-PER", "I-PER"));
    private static final List<List<String>> PRED_B = List.of(
            List.of("B-PER", "O", "O", "B-LOC"), List.of("O", "B-ORG", "I-ORG"), List.of("B-ORG", "O"), List.of("O", "O", "O"));

    private static <T> List<T> pick(List<T> xs, int[] idx) {
        List<T> r = new ArrayList<>();
        for (int i : idx) r.add(xs.get(i));
        return r;
    }

    @Test
    void everyResampleMatchesSeqevalOnTheResampledSentences() {
        SentenceStats a = SentenceStats.chunkF1(GOLD, PRED_A, null), b = SentenceStats.chunkF1(GOLD, PRED_B, null);
        double[] d = PairedBootstrap.differences(a, b, all(4));
        assertEquals(256, d.length);
        Iterator<int[]> it = all(4);
        for (int r = 0; r < 256; r++) {
            int[] idx = it.next();
            List<List<String>> g = pick(GOLD, idx);
            double expected = SeqevalMetrics.evaluate(g, pick(PRED_A, idx)).micro().f1() - SeqevalMetrics.evaluate(g, pick(PRED_B, idx)).micro().f1();
            assertEquals(expected, d[r], 1e-12, "resample " + Arrays.toString(idx));
        }
    }

    @Test
    void randomResamplingConvergesToTheExactDistribution() {
        SentenceStats a = SentenceStats.chunkF1(GOLD, PRED_A, null), b = SentenceStats.chunkF1(GOLD, PRED_B, null);
        double[] exact = PairedBootstrap.differences(a, b, all(4));
        Arrays.sort(exact);
        int draws = 40_000;
        double[] mc = PairedBootstrap.differences(a, b, PairedBootstrap.random(4, draws, 1));
        Arrays.sort(mc);
        // Kolmogorov distance between the empirical and the exact CDF at every atom (sd of one CDF value <= 0.0025)
        double worst = 0;
        for (double x : exact) worst = Math.max(worst, Math.abs(cdf(mc, x) - cdf(exact, x)));
        assertTrue(worst < 0.012, "max CDF difference " + worst);
        // the interval's ends are atoms of the exact distribution, at its 2.5% and 97.5% points
        PairedBootstrap.Interval ci = PairedBootstrap.difference(a, b, draws, 1);
        assertTrue(Arrays.binarySearch(exact, ci.lower()) >= 0 && Arrays.binarySearch(exact, ci.upper()) >= 0, ci.toString());
        assertTrue(cdf(exact, ci.lower()) >= 0.025 - 0.012 && cdfBelow(exact, ci.lower()) <= 0.025 + 0.012, ci.toString());
        assertTrue(cdf(exact, ci.upper()) >= 0.975 - 0.012 && cdfBelow(exact, ci.upper()) <= 0.975 + 0.012, ci.toString());
        double full = SeqevalMetrics.evaluate(GOLD, PRED_A).micro().f1() - SeqevalMetrics.evaluate(GOLD, PRED_B).micro().f1();
        assertEquals(full, ci.estimate(), 1e-12);
    }

    private static double cdf(double[] sorted, double x) {
        int c = 0;
        for (double v : sorted) if (v <= x + 1e-12) c++;
        return c / (double) sorted.length;
    }

    private static double cdfBelow(double[] sorted, double x) {
        int c = 0;
        for (double v : sorted) if (v < x - 1e-12) c++;
        return c / (double) sorted.length;
    }

    /**
     * Sentences of 5..30 words; system A right with p = 0.85..0.95 per sentence; system B agrees with A on 95% of the
     * words, is wrong on 3.5% and flips A's outcome on 1.5%. Returns {A, B}.
     */
    private static SentenceStats[] synthetic(Random rnd, int n) {
        int[] ca = new int[n], cb = new int[n], t = new int[n];
        for (int s = 0; s < n; s++) {
            t[s] = 5 + rnd.nextInt(26);
            double pa = 0.85 + 0.1 * rnd.nextDouble();   // sentences differ in difficulty
            for (int w = 0; w < t[s]; w++) {
                boolean a = rnd.nextDouble() < pa;
                double u = rnd.nextDouble();
                boolean b = u < 0.95 ? a : u < 0.985 ? false : !a;   // agrees, or wrong, or flipped
                if (a) ca[s]++;
                if (b) cb[s]++;
            }
        }
        return new SentenceStats[]{new SentenceStats(SentenceStats.Kind.ACCURACY, new int[][]{ca, t}),
                new SentenceStats(SentenceStats.Kind.ACCURACY, new int[][]{cb, t.clone()})};
    }

    /**
     * The accuracy difference is a ratio estimator d = sum(z) / sum(t), z = cA - cB; its delta-method variance is
     * sum((z_i - d t_i)^2) / (sum t)^2. Returns {d, variance}.
     */
    private static double[] normal(SentenceStats a, SentenceStats b) {
        int[] ca = a.columns()[0], cb = b.columns()[0], t = a.columns()[1];
        long tot = 0, z = 0;
        for (int s = 0; s < t.length; s++) { tot += t[s]; z += ca[s] - cb[s]; }
        double d = (double) z / tot, v = 0;
        for (int s = 0; s < t.length; s++) v += Math.pow(ca[s] - cb[s] - d * t[s], 2);
        return new double[]{d, v / ((double) tot * tot)};
    }

    @Test
    void differenceOfAccuraciesAgreesWithTheNormalApproximation() {
        SentenceStats[] ab = synthetic(new Random(11), 4000);
        double[] dv = normal(ab[0], ab[1]);
        double d = dv[0], se = Math.sqrt(dv[1]), half = 1.959964 * se;
        PairedBootstrap.Interval ci = PairedBootstrap.difference(ab[0], ab[1], 5000, 3);
        assertEquals(d, ci.estimate(), 1e-15);
        assertTrue(d > 3 * se, "the synthetic systems should differ clearly: d " + d + ", se " + se);
        assertEquals(d - half, ci.lower(), 0.08 * half, "lower end: bootstrap " + ci.lower() + ", normal " + (d - half));
        assertEquals(d + half, ci.upper(), 0.08 * half, "upper end: bootstrap " + ci.upper() + ", normal " + (d + half));
        assertEquals(1, ci.sign());
    }

    @Test
    void meanOverSetsHandComputed() {
        // set 1 as in handEnumeratedDistribution: over all(2)'s draws (0,0), (1,0), (0,1), (1,1) it differs by 1, 1/2, 1/2, 0.
        // set 2: A gets sentence 0's two words right and sentence 1's one word wrong, B the reverse: (0,0): 4/4 - 0/4 = 1;
        // (1,0), (0,1): 2/3 - 1/3 = 1/3; (1,1): 0/2 - 2/2 = -1. The mean per draw: 1, 5/12, 5/12, -1/2.
        var one = new PairedBootstrap.Pair(new SentenceStats(SentenceStats.Kind.ACCURACY, new int[][]{{1, 0}, {1, 1}}),
                new SentenceStats(SentenceStats.Kind.ACCURACY, new int[][]{{0, 0}, {1, 1}}));
        var two = new PairedBootstrap.Pair(new SentenceStats(SentenceStats.Kind.ACCURACY, new int[][]{{2, 0}, {2, 1}}),
                new SentenceStats(SentenceStats.Kind.ACCURACY, new int[][]{{0, 1}, {2, 1}}));
        assertArrayEquals(new double[]{1, 5 / 12.0, 5 / 12.0, -0.5},
                PairedBootstrap.meanDifferences(List.of(one, two), List.of(all(2), all(2))), 1e-15);
        // the estimate: the mean of the sets' full-sample differences, (1/2 - 0) and (2/3 - 1/3)
        assertEquals((0.5 + 1 / 3.0) / 2, PairedBootstrap.meanDifference(List.of(one, two), 100, 1).estimate(), 1e-15);
        // over one set it is the single interval, draw for draw
        assertEquals(PairedBootstrap.difference(two.a(), two.b(), 700, 9), PairedBootstrap.meanDifference(List.of(two), 700, 9));
    }

    @Test
    void meanOverSetsAgreesWithTheNormalApproximation() {
        // two independent evaluation sets of different sizes: the mean's variance is (v1 + v2) / 4
        Random rnd = new Random(17);
        SentenceStats[] x = synthetic(rnd, 3000), y = synthetic(rnd, 1200);
        double[] nx = normal(x[0], x[1]), ny = normal(y[0], y[1]);
        double d = (nx[0] + ny[0]) / 2, half = 1.959964 * Math.sqrt((nx[1] + ny[1]) / 4);
        PairedBootstrap.Interval ci = PairedBootstrap.meanDifference(
                List.of(new PairedBootstrap.Pair(x[0], x[1]), new PairedBootstrap.Pair(y[0], y[1])), 5000, 3);
        assertEquals(d, ci.estimate(), 1e-15);
        assertEquals(d - half, ci.lower(), 0.08 * half, "lower end: bootstrap " + ci.lower() + ", normal " + (d - half));
        assertEquals(d + half, ci.upper(), 0.08 * half, "upper end: bootstrap " + ci.upper() + ", normal " + (d + half));
        // narrower than the smaller set's own interval: averaging two sets halves the variance of each
        PairedBootstrap.Interval small = PairedBootstrap.difference(y[0], y[1], 5000, 3);
        assertTrue(ci.upper() - ci.lower() < small.upper() - small.lower(), ci + " vs " + small);
    }

    @Test
    void seededAndPaired() {
        SentenceStats a = SentenceStats.chunkF1(GOLD, PRED_A, null), b = SentenceStats.chunkF1(GOLD, PRED_B, null);
        assertEquals(PairedBootstrap.difference(a, b, 1000, 5), PairedBootstrap.difference(a, b, 1000, 5));
        assertArrayEquals(PairedBootstrap.differences(a, b, PairedBootstrap.random(4, 1000, 5)),
                PairedBootstrap.differences(a, b, PairedBootstrap.random(4, 1000, 5)), 0);
        assertNotEquals(Arrays.toString(PairedBootstrap.differences(a, b, PairedBootstrap.random(4, 1000, 5))),
                Arrays.toString(PairedBootstrap.differences(a, b, PairedBootstrap.random(4, 1000, 6))));
        SentenceStats other = SentenceStats.chunkF1(GOLD.subList(0, 3), PRED_A.subList(0, 3), null);
        HeadlensException e = assertThrows(HeadlensException.class, () -> PairedBootstrap.difference(a, other, 100, 1));
        assertTrue(e.getMessage().contains("4 vs 3 evaluation sentences"), e.getMessage());
        // a system against itself: every resample differs by exactly 0
        PairedBootstrap.Interval self = PairedBootstrap.difference(a, a, 500, 1);
        assertEquals(0, self.lower());
        assertEquals(0, self.upper());
    }
}
