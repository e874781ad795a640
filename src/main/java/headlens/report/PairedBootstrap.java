package headlens.report;

import headlens.eval.SentenceStats;

import java.util.Arrays;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * Paired bootstrap over evaluation sentences (Efron &amp; Tibshirani; Koehn 2004 for NLP): draw n sentence indices with
 * replacement, recompute BOTH systems' corpus metrics from their summed per-sentence statistics on that same draw, keep
 * the difference; the 95% interval is the 2.5th and 97.5th percentile of those differences (linear interpolation between
 * order statistics, numpy's default). Indices come from a {@link SplittableRandom} with a fixed seed, so an interval is
 * reproducible bit for bit.
 */
public final class PairedBootstrap {
    private PairedBootstrap() {}

    public static final int DEFAULT_RESAMPLES = 2000;
    public static final long DEFAULT_SEED = 20210801L;

    /**
     * @param estimate  metric(a) - metric(b) on all sentences
     * @param lower     2.5th percentile of the resampled differences
     * @param upper     97.5th percentile
     * @param resamples how many draws
     */
    public record Interval(double estimate, double lower, double upper, int resamples) {
        /** The interval lies wholly above (1) or below (-1) zero, or contains it (0). */
        public int sign() { return lower > 0 ? 1 : upper < 0 ? -1 : 0; }
    }

    /** The 95% paired-bootstrap interval of metric(a) - metric(b). */
    public static Interval difference(SentenceStats a, SentenceStats b, int resamples, long seed) {
        a.checkPairedWith(b, "paired bootstrap");
        if (resamples < 1) throw new IllegalArgumentException("resamples must be >= 1");
        double[] d = differences(a, b, random(a.sentences(), resamples, seed));
        Arrays.sort(d);
        return new Interval(a.value() - b.value(), percentile(d, 0.025), percentile(d, 0.975), resamples);
    }

    /** Two systems' statistics on one evaluation set: one stratum of {@link #meanDifference}. */
    public record Pair(SentenceStats a, SentenceStats b) {}

    /**
     * The 95% interval of the mean over several evaluation sets (targets) of metric(a) - metric(b). A stratified
     * bootstrap: each draw resamples every set's sentences on their own (a set keeps its size; sentences of different
     * languages are never exchanged) and averages the sets' differences. Set j draws from seed + j, so the mean over one
     * set is {@link #difference} exactly.
     */
    public static Interval meanDifference(List<Pair> sets, int resamples, long seed) {
        if (sets.isEmpty()) throw new IllegalArgumentException("meanDifference needs at least one evaluation set");
        if (resamples < 1) throw new IllegalArgumentException("resamples must be >= 1");
        List<Iterator<int[]>> draws = new ArrayList<>();
        double estimate = 0;
        for (int j = 0; j < sets.size(); j++) {
            Pair p = sets.get(j);
            p.a().checkPairedWith(p.b(), "paired bootstrap");
            draws.add(random(p.a().sentences(), resamples, seed + j));
            estimate += p.a().value() - p.b().value();
        }
        double[] d = meanDifferences(sets, draws);
        Arrays.sort(d);
        return new Interval(estimate / sets.size(), percentile(d, 0.025), percentile(d, 0.975), resamples);
    }

    /** Per draw, the mean over the sets of their differences; {@code draws.get(j)} gives set j's resamples, all as many. */
    static double[] meanDifferences(List<Pair> sets, List<Iterator<int[]>> draws) {
        double[] sum = null;
        for (int j = 0; j < sets.size(); j++) {
            double[] d = differences(sets.get(j).a(), sets.get(j).b(), draws.get(j));
            if (sum == null) sum = d;
            else if (d.length != sum.length) throw new IllegalArgumentException("set " + j + ": " + d.length + " resamples, set 0: " + sum.length);
            else for (int r = 0; r < d.length; r++) sum[r] += d[r];
        }
        for (int r = 0; r < sum.length; r++) sum[r] /= sets.size();
        return sum;
    }

    /** One difference per resample; a resample is an array of sentence indices (with repeats). */
    static double[] differences(SentenceStats a, SentenceStats b, Iterator<int[]> resamples) {
        int[][] ca = a.columns(), cb = b.columns();
        double[] out = new double[16];
        int count = 0;
        long[] sa = new long[ca.length], sb = new long[cb.length];
        while (resamples.hasNext()) {
            int[] idx = resamples.next();
            Arrays.fill(sa, 0);
            Arrays.fill(sb, 0);
            for (int i : idx) {
                for (int c = 0; c < ca.length; c++) { sa[c] += ca[c][i]; sb[c] += cb[c][i]; }
            }
            if (count == out.length) out = Arrays.copyOf(out, 2 * count);
            out[count++] = a.kind().metric(sa) - b.kind().metric(sb);
        }
        return Arrays.copyOf(out, count);
    }

    /** {@code resamples} draws of n indices uniform in [0, n), from one seeded stream. */
    static Iterator<int[]> random(int n, int resamples, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int[] idx = new int[n];
        return new Iterator<>() {
            int done;

            @Override public boolean hasNext() { return done < resamples; }

            @Override public int[] next() {
                if (done >= resamples) throw new NoSuchElementException();
                for (int i = 0; i < n; i++) idx[i] = rng.nextInt(n);
                done++;
                return idx;
            }
        };
    }

    /** The q-quantile of sorted values, interpolating linearly between order statistics (numpy's "linear", R type 7). */
    static double percentile(double[] sorted, double q) {
        if (sorted.length == 0) return Double.NaN;
        double h = (sorted.length - 1) * q;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
