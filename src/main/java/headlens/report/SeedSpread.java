package headlens.report;

import org.apache.commons.math3.distribution.ChiSquaredDistribution;
import org.apache.commons.math3.distribution.TDistribution;

import java.util.List;

/**
 * How far one run's mean Δ (a trial's mean over the targets of its difference to k = 0) moves with the fine-tuning
 * seed, estimated from trials run under two seeds. Each such trial gives d = its mean Δ under one seed − under the other
 * (the same heads masked, the same sentences, each against its own seed's k = 0). Were the seeds exchangeable, E d = 0
 * and Var d = 2σ², where σ is the seed-to-seed standard deviation of one run's mean Δ, so
 * <pre>  σ̂² = Σ d² / 2n,   95% interval of σ: [√(nσ̂² / χ²₀.₉₇₅(n)), √(nσ̂² / χ²₀.₀₂₅(n))]</pre>
 * and a mean Δ with a sentence-sampling standard error se has the seed-aware 95% interval Δ ± t₀.₉₇₅(n)·√(σ̂² + se²),
 * se read off the sentence bootstrap's interval as its width / (2·1.96). The n trials share each seed's k = 0 run, so
 * they are not independent: n overstates the degrees of freedom and the intervals are, if anything, too narrow.
 *
 * @param trials the repeated trials, e.g. "lowest k = 4", in the order of {@code diffs}
 * @param diffs  per trial: its mean Δ under the first seed − under the second (fractions, like every score here)
 * @param sigma  σ̂
 * @param lower  σ's 95% interval, lower end
 * @param upper  σ's 95% interval, upper end
 * @param t      t₀.₉₇₅ with n degrees of freedom
 */
record SeedSpread(List<String> trials, List<Double> diffs, double sigma, double lower, double upper, double t) {
    private static final double Z975 = 1.959963984540054;

    static SeedSpread of(List<String> trials, List<Double> diffs) {
        int n = diffs.size();
        if (n == 0 || trials.size() != n) throw new IllegalArgumentException("one difference per trial, at least one: " + trials + " " + diffs);
        double ss = 0;
        for (double d : diffs) ss += d * d;
        double var = ss / (2.0 * n);
        ChiSquaredDistribution chi = new ChiSquaredDistribution(null, n);
        return new SeedSpread(List.copyOf(trials), List.copyOf(diffs), Math.sqrt(var),
                Math.sqrt(n * var / chi.inverseCumulativeProbability(0.975)), Math.sqrt(n * var / chi.inverseCumulativeProbability(0.025)),
                new TDistribution(null, n).inverseCumulativeProbability(0.975));
    }

    int n() { return diffs.size(); }

    /** The seed-aware 95% interval {lower, upper} of a mean Δ {@code diff} whose sentence interval is {@code ci} (none: σ̂ alone). */
    double[] interval(double diff, PairedBootstrap.Interval ci) {
        double se = ci == null ? 0 : (ci.upper() - ci.lower()) / (2 * Z975);
        double half = t * Math.sqrt(sigma * sigma + se * se);
        return new double[]{diff - half, diff + half};
    }
}
