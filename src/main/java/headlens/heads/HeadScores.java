package headlens.heads;

import headlens.core.HeadlensException;
import headlens.model.HeadId;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * One importance table [layer][original head]: the raw accumulated scores and the paper's normalisation
 * (each layer divided by its L2 norm, then min-max scaled to [0, 1] over the whole model, as Michel et al.'s
 * and HuggingFace's bertology code do). Physically pruned heads are NaN in both.
 *
 * @param name   what the table is for (a language, "aggregate")
 * @param tokens counted (labelled) tokens the scores were accumulated over
 */
public record HeadScores(String name, double[][] raw, double[][] normalized, long tokens) {

    public static HeadScores fromRaw(String name, double[][] raw, long tokens) {
        return new HeadScores(name, raw, normalize(raw, false), tokens);
    }

    /** As the authors' released code normalises its K/V table: each layer divided by its L1 sum, then min-max. */
    public static HeadScores fromRawL1(String name, double[][] raw, long tokens) {
        return new HeadScores(name, raw, normalize(raw, true), tokens);
    }

    public int layers() { return raw.length; }

    public int heads() { return raw.length == 0 ? 0 : raw[0].length; }

    public boolean present(int layer, int head) { return !Double.isNaN(raw[layer][head]); }

    /** Per-layer L2 (or L1) normalisation (+1e-20 as in the reference code), then global min-max over the present heads. */
    public static double[][] normalize(double[][] raw, boolean l1) {
        double[][] n = new double[raw.length][];
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (int l = 0; l < raw.length; l++) {
            double ss = 0;
            for (double v : raw[l]) if (!Double.isNaN(v)) ss += l1 ? Math.abs(v) : v * v;
            double norm = (l1 ? ss : Math.sqrt(ss)) + 1e-20;
            n[l] = new double[raw[l].length];
            for (int h = 0; h < raw[l].length; h++) {
                n[l][h] = raw[l][h] / norm;
                if (!Double.isNaN(n[l][h])) { min = Math.min(min, n[l][h]); max = Math.max(max, n[l][h]); }
            }
        }
        double range = max - min;
        for (double[] row : n)
            for (int h = 0; h < row.length; h++)
                if (!Double.isNaN(row[h])) row[h] = range > 0 ? (row[h] - min) / range : 0;
        return n;
    }

    /** Present heads from least to most important (ties by layer, then head, so the order is deterministic). */
    public List<HeadId> ascending() {
        List<HeadId> ids = new ArrayList<>();
        for (int l = 0; l < layers(); l++)
            for (int h = 0; h < heads(); h++) if (present(l, h)) ids.add(new HeadId(l, h));
        ids.sort(Comparator.<HeadId>comparingDouble(id -> normalized[id.layer()][id.head()]).thenComparing(id -> id));
        return ids;
    }

    /** Flattened normalised scores of the heads present in both tables (for rank correlations). */
    public double[][] pairedWith(HeadScores other) {
        checkShape(other.layers(), other.heads(), "table '" + other.name + "'");
        List<double[]> pairs = new ArrayList<>();
        for (int l = 0; l < layers(); l++)
            for (int h = 0; h < heads(); h++)
                if (present(l, h) && other.present(l, h)) pairs.add(new double[]{normalized[l][h], other.normalized[l][h]});
        double[][] r = new double[2][pairs.size()];
        for (int i = 0; i < pairs.size(); i++) { r[0][i] = pairs.get(i)[0]; r[1][i] = pairs.get(i)[1]; }
        return r;
    }

    /**
     * Mean Spearman ρ between every two layers' scores over the head index (layers with a pruned head left out; NaN
     * when fewer than two layers are whole). Near 0 when head h of one layer says nothing of head h of another, as it
     * should for heads; high when the index names the same thing in every layer, as the released code's blocks of the
     * weights' input columns do (the same residual-stream features in every layer).
     */
    public double betweenLayerRho() {
        List<double[]> whole = new ArrayList<>();
        for (double[] row : raw) if (Arrays.stream(row).noneMatch(Double::isNaN)) whole.add(row);
        double sum = 0;
        int pairs = 0;
        for (int a = 0; a < whole.size(); a++)
            for (int b = a + 1; b < whole.size(); b++) { sum += Spearman.rho(whole.get(a), whole.get(b)); pairs++; }
        return pairs == 0 ? Double.NaN : sum / pairs;
    }

    public void checkShape(int layers, int heads, String what) {
        if (layers != layers() || heads != heads())
            throw new HeadlensException("head scores '" + name + "' are for " + layers() + " layers × " + heads()
                    + " heads, but " + what + " has " + layers + " layers × " + heads + " heads");
    }

    /** Which heads to prune in a trial. */
    public enum Order { LOWEST, HIGHEST, RANDOM }

    /** The k heads to prune: the k least (or most) important, or k drawn uniformly with the seed. */
    public List<HeadId> select(int k, Order order, long seed) {
        List<HeadId> asc = ascending();
        if (k < 0) throw new HeadlensException("number of heads to prune must be >= 0, got " + k);
        if (k > asc.size())
            throw new HeadlensException("cannot prune " + k + " heads: the model has only " + asc.size() + " heads left ("
                    + layers() + " layers × " + heads() + " heads)");
        List<HeadId> r = switch (order) {
            case LOWEST -> new ArrayList<>(asc.subList(0, k));
            case HIGHEST -> new ArrayList<>(asc.subList(asc.size() - k, asc.size()));
            case RANDOM -> {
                List<HeadId> all = new ArrayList<>(asc);
                all.sort(null);
                java.util.Collections.shuffle(all, new Random(seed));
                yield new ArrayList<>(all.subList(0, k));
            }
        };
        r.sort(null);
        return r;
    }

    /** The mean of several tables' normalised scores, renormalised to [0, 1] (the cross-language ranking). */
    public static HeadScores aggregate(String name, List<HeadScores> tables) {
        if (tables.isEmpty()) throw new IllegalArgumentException("no tables");
        HeadScores first = tables.get(0);
        double[][] mean = new double[first.layers()][first.heads()];
        long tokens = 0;
        for (HeadScores t : tables) {
            t.checkShape(first.layers(), first.heads(), "table '" + first.name + "'");
            tokens += t.tokens;
            for (int l = 0; l < mean.length; l++)
                for (int h = 0; h < mean[l].length; h++) mean[l][h] += t.normalized[l][h] / tables.size();
        }
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (double[] row : mean) for (double v : row) if (!Double.isNaN(v)) { min = Math.min(min, v); max = Math.max(max, v); }
        double[][] n = new double[mean.length][];
        for (int l = 0; l < mean.length; l++) {
            n[l] = mean[l].clone();
            for (int h = 0; h < n[l].length; h++) if (!Double.isNaN(n[l][h])) n[l][h] = max > min ? (n[l][h] - min) / (max - min) : 0;
        }
        return new HeadScores(name, mean, n, tokens);
    }
}
