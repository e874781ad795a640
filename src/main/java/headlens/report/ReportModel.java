package headlens.report;

import headlens.core.HeadlensException;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The report's content, independent of its rendering: the runs grouped into experiments (one k = 0 model and its trials
 * per task, source languages, setting, masking variant and seed), every trial's difference to k = 0 with a paired
 * bootstrap interval, the two selection rules, the per-setting summaries, and the missing cells. All orderings are
 * fixed (tasks pos, ner, slot; then by name), so the same runs always give the same tables.
 */
final class ReportModel {
    /** The paper's range: k = 1..12 lowest-ranked heads. */
    static final int K_MAX = 12;
    static final List<String> ORDERS = List.of("lowest", "highest", "random");
    private static final List<String> TASK_ORDER = List.of("pos", "ner", "slot");

    /** What one k = 0 model and its trials share. */
    record Exp(String model, String task, List<String> sources, String setting, String masking, long seed) {
        String sourceLabel() { return String.join("+", sources); }

        String label() {
            return task + " " + sourceLabel() + " " + setting + (masking.equals("train+eval") ? "" : " (" + masking + ")")
                    + " · " + model + (seed < 0 ? "" : " · seed " + seed);
        }
    }

    static final Comparator<Exp> EXP_ORDER = Comparator.<Exp>comparingInt(e -> TASK_ORDER.indexOf(e.task))
            .thenComparing(Exp::model).thenComparing(e -> e.setting).thenComparing(Exp::sourceLabel)
            .thenComparing(Exp::masking).thenComparingLong(Exp::seed);

    /** An experiment: its k = 0 run (null while missing) and trials by order and k. */
    static final class Group {
        final Exp exp;
        RunResult base;
        final Map<String, TreeMap<Integer, RunResult>> trials = new TreeMap<>();

        Group(Exp exp) { this.exp = exp; }

        /** The number of trials (k > 0). */
        int size() { return trials.values().stream().mapToInt(Map::size).sum(); }

        RunResult run(String order, int k) {
            if (k == 0) return base;
            TreeMap<Integer, RunResult> t = trials.get(order);
            return t == null ? null : t.get(k);
        }

        /** Target languages any of its runs scored, sorted. */
        List<String> targets() {
            TreeSet<String> t = new TreeSet<>();
            if (base != null) t.addAll(base.results().keySet());
            trials.values().forEach(m -> m.values().forEach(r -> t.addAll(r.results().keySet())));
            return List.copyOf(t);
        }

        /** test where the k = 0 model (or any trial) has it for this target, else dev (e.g. WikiANN languages without labelled test). */
        String reportedSplit(String target) {
            if (base != null && base.results().containsKey(target)) return base.results().get(target).containsKey("test") ? "test" : "dev";
            for (var m : trials.values())
                for (RunResult r : m.values()) if (r.results().getOrDefault(target, Map.of()).containsKey("test")) return "test";
            return "dev";
        }
    }

    /**
     * A trial's score and its difference to k = 0 on the same split; {@code ci} and {@code pair} (the two runs' per-sentence
     * statistics, for intervals of means over targets) null without per-sentence statistics.
     */
    record Delta(double value, double base, PairedBootstrap.Interval ci, PairedBootstrap.Pair pair) {
        double diff() { return value - base; }
    }

    /** A k chosen by a rule, the scores of k = 0 and of that k on the reported split, and the difference's interval. */
    record Selection(int k, Delta delta) {}

    final List<Group> groups = new ArrayList<>();
    /** {experiment with trials, its k = 0 run repeated with another fine-tuning seed}: the seed-to-seed variation. */
    final List<Group[]> seedControls = new ArrayList<>();
    final Map<RunResult, String> files = new LinkedHashMap<>();
    final int resamples;
    final long seed;
    private final Map<String, Delta> deltas = new LinkedHashMap<>();
    /** Per [task, model]: the source languages of its cross-lingual experiments (see {@link #isTransfer}). */
    private final Map<List<String>, Set<String>> crossSources = new HashMap<>();

    ReportModel(Runs runs, int resamples, long seed) {
        this.resamples = resamples;
        this.seed = seed;
        Map<Exp, Group> byExp = new TreeMap<>(EXP_ORDER);
        Map<List<Object>, RunResult> bases = new LinkedHashMap<>();
        Map<List<Object>, String> baseFiles = new LinkedHashMap<>();
        Map<List<Object>, String> seen = new LinkedHashMap<>();
        runs.results().forEach((file, r) -> {
            files.put(r, file);
            List<Object> baseKey = List.of(r.model(), r.task(), r.sources(), r.setting(), r.seed());
            if (r.k() == 0) {
                String before = baseFiles.put(baseKey, file);
                if (before != null) throw new HeadlensException(file + ": a second k = 0 run for " + baseKey + " (first: " + before + ")");
                bases.put(baseKey, r);
                return;
            }
            Exp e = new Exp(r.model(), r.task(), r.sources(), r.setting(), r.masking(), r.seed());
            String before = seen.put(List.of(e, r.order(), r.k()), file);
            if (before != null) throw new HeadlensException(file + ": the same trial (" + e.label() + ", " + r.order() + " k=" + r.k() + ") as " + before);
            byExp.computeIfAbsent(e, Group::new).trials.computeIfAbsent(r.order(), o -> new TreeMap<>()).put(r.k(), r);
        });
        // k = 0 masks nothing, so it is the baseline of every masking variant; alone it still makes an experiment
        bases.forEach((key, r) -> {
            boolean used = false;
            for (Group g : byExp.values())
                if (List.of(g.exp.model, g.exp.task, g.exp.sources, g.exp.setting, g.exp.seed).equals(key)) { g.base = r; used = true; }
            if (!used) {
                Group g = new Group(new Exp(r.model(), r.task(), r.sources(), r.setting(), "train+eval", r.seed()));
                g.base = r;
                byExp.put(g.exp, g);
            }
        });
        // a run of another experiment's grid with another seed (its k = 0 alone, or with trials: `sweep --seed`) sits
        // beside that experiment as its seed control, not as an experiment of its own
        for (Group g : byExp.values()) {
            Group primary = seedPrimary(byExp.values(), g);
            if (primary == null) groups.add(g);
            else seedControls.add(new Group[]{primary, g});
        }
        for (Group g : groups)
            if (g.exp.setting.equals("cross"))
                crossSources.computeIfAbsent(List.of(g.exp.task, g.exp.model), x -> new HashSet<>()).addAll(g.exp.sources);
    }

    /**
     * Whether a target of {@code g} counts in a mean over "targets ≠ source" (the summary's pairs, the averaged curve,
     * the controls): for a cross-lingual model, any target but its source; for a multi-lingual model, any target but the
     * sources of its task's cross-lingual experiments (the paper's Mul rows: the target's own data is in the training set
     * by design) or, where its task has none, any target but its training languages.
     */
    boolean isTransfer(Group g, String target) {
        Set<String> skip = g.exp.setting.equals("cross") ? null : crossSources.get(List.of(g.exp.task, g.exp.model));
        return !(skip == null ? g.exp.sources : skip).contains(target);
    }

    /** The targets of {@code g} that {@link #isTransfer} counts, sorted. */
    List<String> transferTargets(Group g) {
        return g.targets().stream().filter(t -> isTransfer(g, t)).toList();
    }

    /**
     * The experiment that {@code g} repeats with another seed: same model, task, sources, setting and masking (a k = 0
     * alone: train+eval), with trials, and more of them than {@code g} (a tie: the smaller seed); null if none.
     */
    private static Group seedPrimary(Iterable<Group> all, Group g) {
        String masking = g.trials.isEmpty() ? "train+eval" : g.exp.masking();
        Group best = null;
        for (Group p : all)
            if (p != g && !p.trials.isEmpty() && p.exp.seed() != g.exp.seed() && p.exp.masking().equals(masking)
                    && p.exp.model().equals(g.exp.model()) && p.exp.task().equals(g.exp.task())
                    && p.exp.sources().equals(g.exp.sources()) && p.exp.setting().equals(g.exp.setting())
                    && (p.size() > g.size() || p.size() == g.size() && p.exp.seed() < g.exp.seed())
                    && (best == null || p.size() > best.size() || p.size() == best.size() && p.exp.seed() < best.exp.seed())) best = p;
        return best;
    }

    // ------------------------------------------------------------------------------------------------ values

    static RunResult.Metric metric(RunResult r, String target, String split, String metric) {
        if (r == null) return null;
        RunResult.Split s = r.results().getOrDefault(target, Map.of()).get(split);
        return s == null ? null : s.metrics().get(metric);
    }

    /** The trial's difference to k = 0 for one target, split and metric; null when either score is missing. */
    Delta delta(Group g, String order, int k, String target, String split, String metric) {
        return compare(g.run(order, k), g.base, target, split, metric);
    }

    /** Run a's score minus run b's on the same sentences, with its interval (none when a is b or without statistics). */
    Delta compare(RunResult a, RunResult b, String target, String split, String metric) {
        RunResult.Metric m = metric(a, target, split, metric), m0 = metric(b, target, split, metric);
        if (m == null || m0 == null) return null;
        String key = files.get(a) + "|" + files.get(b) + "|" + target + "|" + split + "|" + metric;
        Delta d = deltas.get(key);
        if (d == null) {
            PairedBootstrap.Interval ci = null;
            PairedBootstrap.Pair pair = null;
            if (a != b && m.stats() != null && m0.stats() != null) {
                String what = files.get(a) + " vs " + files.get(b) + " (" + target + " " + split + " " + metric + ")";
                m.stats().checkPairedWith(m0.stats(), what);
                ci = PairedBootstrap.difference(m.stats(), m0.stats(), resamples, seed);
                pair = new PairedBootstrap.Pair(m.stats(), m0.stats());
            }
            d = new Delta(m.value(), m0.value(), ci, pair);
            deltas.put(key, d);
        }
        return d;
    }

    /**
     * The interval of the mean of {@code ds} (a stratified paired bootstrap, the targets as strata); null unless every one
     * has statistics. Kept: the markdown, the HTML and its figures ask for the same means.
     */
    PairedBootstrap.Interval meanInterval(List<Delta> ds) {
        if (ds.isEmpty() || ds.stream().anyMatch(d -> d.pair() == null)) return null;
        return means.computeIfAbsent(ds.stream().map(Delta::pair).toList(), sets -> PairedBootstrap.meanDifference(sets, resamples, seed));
    }

    private final Map<List<PairedBootstrap.Pair>, PairedBootstrap.Interval> means = new HashMap<>();

    /** One target of a seed control: the other seed's k = 0 minus this experiment's, and this experiment's honest-rule pruning Δ. */
    record SeedRow(String target, String split, Delta seed, Selection pruning) {}

    /** The rows of a seed control {experiment, its k = 0 with another seed}, targets with scores in both (sorted). */
    List<SeedRow> seedRows(Group[] control, String metric) {
        List<SeedRow> out = new ArrayList<>();
        for (String t : control[0].targets()) {
            String split = control[0].reportedSplit(t);
            Delta d = compare(control[1].base, control[0].base, t, split, metric);
            if (d != null) out.add(new SeedRow(t, split, d, honestRule(control[0], t, metric)));
        }
        return out;
    }

    /** One trial run under both seeds of a seed control, for one target: its difference to k = 0 under each seed. */
    record ReplicateRow(String target, String split, String order, int k, Delta first, Delta second) {}

    /** The trials a seed control repeats ({@code sweep --seed}), by order and k, then target; empty for a k = 0 alone. */
    List<ReplicateRow> replicateRows(Group[] control, String metric) {
        List<ReplicateRow> out = new ArrayList<>();
        for (String order : ORDERS)
            for (int k : control[1].trials.getOrDefault(order, new TreeMap<>()).keySet()) {
                if (control[0].run(order, k) == null) continue;
                for (String t : control[0].targets()) {
                    String split = control[0].reportedSplit(t);
                    Delta a = delta(control[0], order, k, t, split, metric), b = delta(control[1], order, k, t, split, metric);
                    if (a != null && b != null) out.add(new ReplicateRow(t, split, order, k, a, b));
                }
            }
        return out;
    }

    /**
     * The seed's spread of a trial's mean Δ over the transfer targets, from the trials a seed control repeats (each mean
     * over the targets both seeds scored); null where it repeats none.
     */
    SeedSpread seedSpread(Group[] control, String metric) {
        Map<String, double[]> byTrial = new LinkedHashMap<>();   // trial -> {Σ first, Σ second, targets}
        for (ReplicateRow r : replicateRows(control, metric)) {
            if (!isTransfer(control[0], r.target())) continue;
            double[] s = byTrial.computeIfAbsent(r.order() + " k = " + r.k(), x -> new double[3]);
            s[0] += r.first().diff();
            s[1] += r.second().diff();
            s[2]++;
        }
        if (byTrial.isEmpty()) return null;
        List<Double> diffs = byTrial.values().stream().map(s -> (s[0] - s[1]) / s[2]).toList();
        return SeedSpread.of(List.copyOf(byTrial.keySet()), diffs);
    }

    /** The seed spread that applies to {@code g}'s trials: its seed control's, where {@code g} is either side of one. */
    SeedSpread seedSpread(Group g, String metric) {
        for (Group[] p : seedControls)
            if (p[0] == g || p[1] == g) {
                SeedSpread s = seedSpread(p, metric);
                if (s != null) return s;
            }
        return null;
    }

    /** Experiments that differ only in masking: {train+eval, train-only}. */
    List<Group[]> maskingPairs() {
        List<Group[]> out = new ArrayList<>();
        for (Group a : groups)
            for (Group b : groups)
                if (a.exp.masking().equals("train+eval") && b.exp.masking().equals("train-only") && a.exp.model().equals(b.exp.model())
                        && a.exp.task().equals(b.exp.task()) && a.exp.sources().equals(b.exp.sources())
                        && a.exp.setting().equals(b.exp.setting()) && a.exp.seed() == b.exp.seed()) out.add(new Group[]{a, b});
        return out;
    }

    private static final List<Integer> ALL_K = java.util.stream.IntStream.rangeClosed(1, K_MAX).boxed().toList();

    /** The paper's rule: the best of k = 1..12 (lowest order) on the reported split itself (ties: the smaller k). */
    Selection paperRule(Group g, String target, String metric) {
        return paperRule(g, "lowest", ALL_K, target, metric);
    }

    /** The paper's rule for any order, choosing among {@code ks} only (to set the orders side by side over the same k). */
    Selection paperRule(Group g, String order, List<Integer> ks, String target, String metric) {
        String split = g.reportedSplit(target);
        return best(g, order, ks, target, metric, split, split);
    }

    /** The honest rule: k chosen on the target's dev set, its test score reported once; null without both splits. */
    Selection honestRule(Group g, String target, String metric) {
        return honestRule(g, "lowest", ALL_K, target, metric);
    }

    /** The honest rule for any order, choosing among {@code ks} only. */
    Selection honestRule(Group g, String order, List<Integer> ks, String target, String metric) {
        if (!g.reportedSplit(target).equals("test")) return null;
        return best(g, order, ks, target, metric, "dev", "test");
    }

    private Selection best(Group g, String order, List<Integer> ks, String target, String metric, String selectOn, String report) {
        int bestK = -1;
        double best = Double.NEGATIVE_INFINITY;
        for (int k : ks) {
            RunResult.Metric m = metric(g.run(order, k), target, selectOn, metric);
            if (m != null && m.value() > best && delta(g, order, k, target, report, metric) != null) { best = m.value(); bestK = k; }
        }
        return bestK < 0 ? null : new Selection(bestK, delta(g, order, bestK, target, report, metric));
    }

    /** Metrics tabulated for a task: the paper's first (POS: the seqeval 0.0.12 chunk F1), then ours if different;
     *  only those some run of the task recorded. */
    List<String> metrics(String task) {
        List<String> m = new ArrayList<>();
        for (String name : new TreeSet<>(List.of(RunResult.paperMetric(task), RunResult.mainMetric(task))).descendingSet())
            if (recorded(task, name)) m.add(name);
        return m;
    }

    private boolean recorded(String task, String metric) {
        for (RunResult r : files.keySet())
            if (r.task().equals(task))
                for (var splits : r.results().values())
                    for (RunResult.Split s : splits.values()) if (s.metrics().containsKey(metric)) return true;
        return false;
    }

    static String metricName(String metric) {
        return switch (metric) {
            case "accuracy" -> "token accuracy";
            case "paper_f1" -> "the paper's POS F1 (seqeval 0.0.12 chunk F1 over UPOS)";
            default -> "entity F1 (seqeval)";
        };
    }

    // ------------------------------------------------------------------------------------------------ the paper's layout

    /** Tables 2–4 share a key: the same model, task, masking and seed; cross and multi side by side. */
    record TableKey(String model, String task, String masking, long seed) {}

    /** One row: source → target with the cross-lingual group of that source and the multi-lingual group covering it. */
    record Row(String source, String target, Group cross, Group multi) {}

    Map<TableKey, List<Row>> paperRows() {
        Map<TableKey, List<Row>> out = new LinkedHashMap<>();
        Map<TableKey, List<Group>> cross = new LinkedHashMap<>(), multi = new LinkedHashMap<>();
        for (Group g : groups) {
            TableKey key = new TableKey(g.exp.model, g.exp.task, g.exp.masking, g.exp.seed);
            (g.exp.setting.equals("cross") ? cross : multi).computeIfAbsent(key, x -> new ArrayList<>()).add(g);
            cross.computeIfAbsent(key, x -> new ArrayList<>());
            multi.computeIfAbsent(key, x -> new ArrayList<>());
        }
        for (TableKey key : cross.keySet()) {
            List<Row> rows = new ArrayList<>();
            List<Group> mg = multi.get(key);
            for (Group c : cross.get(key)) {
                String s = c.exp.sourceLabel();
                Group m = mg.stream().filter(x -> x.exp.sources.containsAll(c.exp.sources)).findFirst().orElse(null);
                TreeSet<String> targets = new TreeSet<>(c.targets());
                if (m != null) targets.addAll(m.targets());
                for (String t : targets) rows.add(new Row(s, t, c, m));
            }
            for (Group m : mg) {
                boolean covered = cross.get(key).stream().anyMatch(c -> m.exp.sources.containsAll(c.exp.sources));
                if (!covered) for (String t : m.targets()) rows.add(new Row(m.exp.sourceLabel(), t, null, m));
            }
            out.put(key, rows);
        }
        return out;
    }

    /** Missing pieces: absent k = 0 runs, absent trials in the paper's grid (lowest k = 1..12, controls at 4, 8, 12 and
     *  any k they have), targets a trial did not score, scores without per-sentence statistics. */
    List<String> missing() {
        List<String> out = new ArrayList<>();
        for (Group g : groups) {
            String l = g.exp.label();
            if (g.base == null) out.add(l + ": no k = 0 run (every difference to k = 0 is missing)");
            for (String order : ORDERS) {
                TreeSet<Integer> expected = new TreeSet<>();
                if (order.equals("lowest")) for (int k = 1; k <= K_MAX; k++) expected.add(k);
                else if (g.trials.containsKey(order) || g.trials.containsKey("lowest")) expected.addAll(List.of(4, 8, 12));
                if (g.trials.containsKey(order)) expected.addAll(g.trials.get(order).keySet());
                List<Integer> miss = expected.stream().filter(k -> g.run(order, k) == null).toList();
                if (!miss.isEmpty()) out.add(l + ": " + order + " k = " + ranges(miss) + " not run");
            }
            List<String> targets = g.targets();
            TreeSet<String> noStats = new TreeSet<>();
            for (int k = 0; k <= maxK(g); k++)
                for (String order : k == 0 ? List.of("none") : ORDERS) {
                    RunResult r = k == 0 ? g.base : g.run(order, k);
                    if (r == null) continue;
                    for (String t : targets) {
                        String split = g.reportedSplit(t);
                        RunResult.Split s = r.results().getOrDefault(t, Map.of()).get(split);
                        if (s == null) out.add(l + ": " + order + " k=" + k + " has no " + t + " " + split + " scores (" + files.get(r) + ")");
                        else if (s.metrics().values().stream().anyMatch(m -> m.stats() == null)) noStats.add(files.get(r));
                    }
                }
            if (!noStats.isEmpty())
                out.add(l + ": " + noStats.size() + " run(s) without per-sentence statistics, so no intervals (e.g. " + noStats.first() + ")");
        }
        return out;
    }

    static int maxK(Group g) {
        int m = 0;
        for (var t : g.trials.values()) if (!t.isEmpty()) m = Math.max(m, t.lastKey());
        return m;
    }

    private static String ranges(List<Integer> ks) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < ks.size(); ) {
            int j = i;
            while (j + 1 < ks.size() && ks.get(j + 1) == ks.get(j) + 1) j++;
            if (sb.length() > 0) sb.append(", ");
            sb.append(ks.get(i));
            if (j > i) sb.append("–").append(ks.get(j));
            i = j + 1;
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------------------------------------ number formats

    static final String DASH = "—";

    static String pct(Double v) { return v == null || Double.isNaN(v) ? DASH : String.format(Locale.ROOT, "%.2f", 100 * v); }

    static String signed(double pointsTimes100) { return String.format(Locale.ROOT, "%+.2f", pointsTimes100); }

    /** "+0.23 [-0.10, +0.55]" in points (×100), or the bare difference without an interval. */
    static String delta(Delta d) {
        return d == null ? DASH : withInterval(d.diff(), d.ci());
    }

    /** A difference (a fraction) in points with its interval, or bare where {@code ci} is null. */
    static String withInterval(double diff, PairedBootstrap.Interval ci) {
        String s = signed(100 * diff);
        return ci == null ? s : s + " [" + signed(100 * ci.lower()) + ", " + signed(100 * ci.upper()) + "]";
    }

    static String num(double v, int decimals) {
        return Double.isNaN(v) ? DASH : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

}
