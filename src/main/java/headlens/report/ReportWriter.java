package headlens.report;

import headlens.core.AtomicFiles;
import headlens.core.HeadlensException;
import headlens.heads.Charts;
import headlens.heads.HeadImportance;
import headlens.heads.HeadScores;
import headlens.heads.ImportanceReport;
import headlens.heads.Spearman;
import headlens.model.HeadId;
import headlens.report.ReportModel.Delta;
import headlens.report.ReportModel.Group;
import headlens.report.ReportModel.Row;
import headlens.report.ReportModel.Selection;
import headlens.report.ReportModel.TableKey;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static headlens.report.ReportModel.DASH;
import static headlens.report.ReportModel.delta;
import static headlens.report.ReportModel.num;
import static headlens.report.ReportModel.pct;
import static headlens.report.ReportModel.signed;
import static headlens.report.ReportModel.withInterval;

/**
 * {@code report.md} and {@code report.html} from a {@link ReportModel}: the same tables in both (built once as
 * {@link Table}s), and in the HTML also head-importance heatmaps, k-curves and shaded Spearman matrices as inline SVG,
 * so the page needs no network. No timestamps and fixed number formats: the same runs give the same bytes.
 */
public final class ReportWriter {
    /** A table: id (HTML anchor), title, header, rows of cell texts, notes under it. */
    record Table(String id, String title, List<String> header, List<List<String>> rows, List<String> notes) {}

    /** A part of the report: heading, text, tables, and figures (HTML only). */
    record Section(String id, String title, List<String> text, List<Table> tables, List<String> figures) {}

    private final ReportModel m;
    private final Runs runs;
    private final PaperNumbers paper = PaperNumbers.get();
    private int figures;

    private final String title;

    private final List<String> notRun;

    private ReportWriter(Runs runs, int resamples, long seed, String title, List<String> notRun) {
        this.runs = runs;
        this.title = title;
        this.notRun = List.copyOf(notRun);
        this.m = new ReportModel(runs, resamples, seed);
    }

    /**
     * Writes {@code out/report.md} and {@code out/report.html} (each atomically); {@code notRun}: lines naming expected
     * units without a result file (listed under 'Missing cells').
     */
    public static void write(Runs runs, Path out, int resamples, long seed, String title, List<String> notRun) {
        ReportWriter w = new ReportWriter(runs, resamples, seed, title == null || title.isBlank() ? "Head pruning, cross- and multi-lingual: report" : title, notRun);
        List<Section> sections = w.sections(true);
        String html = w.html(sections);
        w.figures = 0;
        String md = w.markdown(w.sections(false));
        try {
            AtomicFiles.writeString(out.resolve("report.md"), md);
            AtomicFiles.writeString(out.resolve("report.html"), html);
        } catch (IOException e) {
            throw new HeadlensException(out + ": cannot write the report: " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------------------------------------ content

    private List<Section> sections(boolean withFigures) {
        List<Section> s = new ArrayList<>();
        s.add(new Section("about", "What this is", List.of(
                "Runs: " + runs.results().size() + " result files in " + m.groups.size() + " experiments"
                        + (m.seedControls.isEmpty() ? "" : " and " + m.seedControls.size() + " seed control(s)") + "; " + runs.heads().size() + " heads files.",
                "Scores ×100. Unp = k = 0 (nothing masked); Pr = the k lowest-ranked heads masked. Cr = cross-lingual (source training data "
                        + "only), Mul = multi-lingual (one model on the union of the training sets). Δ = Pr − Unp, with a 95% paired-bootstrap "
                        + "interval over the evaluation sentences (" + m.resamples + " resamples, seed " + m.seed + ", percentile method; both "
                        + "systems recomputed from summed per-sentence statistics on the same resample). No interval where a result file "
                        + "has no per-sentence statistics. The intervals cover the sampling of evaluation sentences only, not the "
                        + "randomness of fine-tuning: a difference whose interval excludes zero may still be within seed-to-seed variation"
                        + (m.seedControls.isEmpty() ? " (no second seed was run)." : " (measured where a second seed was run: section "
                        + "'Seed-to-seed variation'; where trials were repeated with it, the columns 'with seed' add it to the interval)."),
                "Selection rules: the paper's = the best of k = 1..12 on the reported (test) scores themselves, so its Δ is biased upwards "
                        + "and its interval is not a valid test; honest = k chosen on the target's dev set, test reported once. Targets "
                        + "without labelled test data are reported on dev (column 'split'); they have no honest selection.",
                "Paper = Ma et al. (ACL 2021), Tables 2–4 and Fig. 1 (mBERT columns, or XLM-R for an XLM-R model), transcribed in "
                        + "src/main/resources/headlens/report/ma2021-*.csv from shared/reference/ma2021.md. Its datasets differ from "
                        + "ours (UD v2.7, CoNLL/other NER sets, MultiATIS++), so its absolute numbers compare loosely; the sign and size "
                        + "of Pr − Unp is what carries over. Its POS scores are seqeval 0.0.12 chunk F1 over UPOS (our 'paper_f1')."),
                List.of(), List.of()));
        s.add(new Section("summary", "Summary: mean gain per task and setting", seedSummary(), summaryTables(), List.of()));
        addIfAny(s, new Section("means", "The k-curve averaged over the targets", List.of(
                "Each trial's Δ to k = 0, averaged over the targets the summary counts (a cross-lingual model: every target "
                        + "but its source; a multi-lingual one: every target but the cross-lingual sources of its task, as the "
                        + "paper's Mul rows): what the paper's claim is about (a few lowest-ranked heads masked improve transfer), "
                        + "k by k and beside the controls; the per-target rows are in 'Every trial'. Where the k = 0 fine-tune was "
                        + "repeated with another seed, the second table averages the two unpruned runs' difference the same way: "
                        + "one draw of the mean Δ that fine-tuning randomness gives with nothing masked. Where trials were repeated "
                        + "with another seed, the third table estimates from them how far one run's mean Δ moves with the seed, and "
                        + "the first table's last column widens each mean Δ's interval by it. In the figures, each "
                        + "point's bar is its 95% interval over sentences and the grey band spans ± t·σ̂ (the third table: how far a "
                        + "mean Δ moves with the seed alone, 95%) or, where no trial was repeated, ± the unpruned runs' seed difference."),
                concat(meanCurveTables(), concat(seedMeanTables(), seedSpreadTables())), withFigures ? meanCurveFigures() : List.of()));
        addIfAny(s, new Section("controls", "Controls: the lowest-ranked heads against the highest-ranked and random ones", List.of(
                "The paper reports no control. lowest − highest > 0 says the ranking orders the heads (its top heads cost most to "
                        + "mask); lowest − random > 0 says the heads it ranks lowest are safer to mask than heads picked by chance, "
                        + "which is what pruning by the ranking needs. Both runs at the same k, scored on the same sentences; the "
                        + "per-target rows are in 'Every trial'. The second table applies the two selection rules to every order "
                        + "alike: how much of the paper's rule's gain its choosing alone gives."),
                concat(controlTables(), selectionControlTables()), List.of()));
        List<Table> paperTables = new ArrayList<>(), honest = new ArrayList<>();
        m.paperRows().forEach((key, rows) -> {
            for (String metric : m.metrics(key.task())) {
                paperTables.add(paperTable(key, rows, metric));
                honest.add(honestTable(key, rows, metric));
            }
        });
        s.add(new Section("tables", "Tables 2–4 layout (the paper's selection rule)", List.of(), paperTables, List.of()));
        s.add(new Section("honest", "k chosen on dev, test reported once", List.of(), honest, List.of()));
        s.add(new Section("curves", "Every trial: difference to k = 0 by order and k", List.of(
                "The paper's order (lowest) and the controls (highest = the most important heads, random = seeded random heads)."),
                curveTables(), withFigures ? curveFigures() : List.of()));
        List<Group[]> pairs = m.maskingPairs();
        if (!pairs.isEmpty())
            s.add(new Section("masking", "Masked at training and evaluation vs at training only", List.of(
                    "train-only is what the authors' released code does: the heads are masked while fine-tuning, and evaluation runs "
                            + "the model without the mask. Δ = train-only − train+eval at the same k, on the same sentences."),
                    maskingTables(pairs), List.of()));
        if (!m.seedControls.isEmpty())
            s.add(new Section("seeds", "Seed-to-seed variation", List.of(
                    "The same k = 0 fine-tune (data, budget, targets) with another seed (classifier initialisation, batch order, "
                            + "dropout). Δ seed = the other seed's score − this experiment's, on the same sentences, with the same "
                            + "paired bootstrap: how far two unpruned taggers differ by chance alone. A pruning difference of that "
                            + "size says nothing about pruning, whatever its interval; the honest-rule pruning Δ is set beside it. "
                            + "Where trials were repeated with the other seed too (headlens sweep --seed), their differences to k = 0 "
                            + "under the two seeds follow: a pruning effect that is real shows under both."),
                    seedTables(), List.of()));
        s.add(headsSection(withFigures));
        s.add(new Section("runs", "What each run used", List.of(), List.of(budgetTable()), List.of()));
        List<String> missing = new ArrayList<>(notRun);
        missing.addAll(m.missing());
        s.add(new Section("missing", "Missing cells (" + missing.size() + ")",
                missing.isEmpty() ? List.of("None.") : missing.stream().map(x -> "- " + x).toList(), List.of(), List.of()));
        return s;
    }

    /** Adds the section where it has tables (a report without trials has no averaged curve and no controls). */
    private static void addIfAny(List<Section> s, Section section) {
        if (!section.tables().isEmpty()) s.add(section);
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static String pair(String s, String t) { return s.toUpperCase(Locale.ROOT) + "→" + t.toUpperCase(Locale.ROOT); }

    private static String id(String... parts) {
        return String.join("-", parts).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
    }

    private static String keyTitle(TableKey k) {
        return k.task().toUpperCase(Locale.ROOT) + " · " + k.model() + " · masked " + k.masking() + (k.seed() < 0 ? "" : " · seed " + k.seed());
    }

    private Table paperTable(TableKey key, List<Row> rows, String metric) {
        boolean withPaper = metric.equals(RunResult.paperMetric(key.task()));
        String pm = PaperNumbers.paperModel(key.model());
        List<String> header = new ArrayList<>(List.of("SL→TL", "split"));
        for (String set : List.of("Cr", "Mul")) {
            header.addAll(List.of("Unp " + set, "Pr " + set, "k", "Δ " + set + " [95% CI]"));
            if (withPaper) header.addAll(List.of("paper Unp " + set, "paper Pr " + set, "paper Δ " + set));
        }
        List<List<String>> body = new ArrayList<>();
        for (Row r : rows) {
            List<String> c = new ArrayList<>(List.of(pair(r.source(), r.target()), split(r)));
            PaperNumbers.Row p = withPaper ? paper.row(key.task(), pm, r.source(), r.target()) : null;
            for (boolean cross : new boolean[]{true, false}) {
                Group g = cross ? r.cross() : r.multi();
                Selection sel = g == null ? null : m.paperRule(g, r.target(), metric);
                Delta d0 = g == null ? null : m.delta(g, "none", 0, r.target(), g.reportedSplit(r.target()), metric);
                c.add(d0 == null ? DASH : pct(d0.base()));
                c.add(sel == null ? DASH : pct(sel.delta().value()));
                c.add(sel == null ? DASH : String.valueOf(sel.k()));
                c.add(sel == null ? DASH : delta(sel.delta()));
                if (withPaper) {
                    if (p == null) c.addAll(List.of(DASH, DASH, DASH));
                    else {
                        double unp = cross ? p.unpCr() : p.unpMul(), pr = cross ? p.prCr() : p.prMul();
                        c.addAll(List.of(num(unp, 2), num(pr, 2), signed(pr - unp)));
                    }
                }
            }
            body.add(c);
        }
        return new Table(id("paper", key.task(), metric, key.model(), key.masking(), String.valueOf(key.seed())),
                keyTitle(key) + ": " + ReportModel.metricName(metric), header, body,
                notes("Pr = the best of k = 1..12 (lowest-ranked heads) on the reported split; k = that k" + partial(rows) + ".", rows));
    }

    /**
     * The note; one naming the Mul targets outside the multi-lingual model's training languages (the paper has none); and,
     * where rows have several sources, one saying that their Mul columns are one model's (the paper's are one per pair).
     */
    private static List<String> notes(String note, List<Row> rows) {
        List<String> n = new ArrayList<>(List.of(note));
        TreeSet<String> outside = new TreeSet<>(), sources = new TreeSet<>();
        for (Row r : rows)
            if (r.multi() != null) {
                sources.add(r.source().toUpperCase(Locale.ROOT));
                if (!r.multi().exp.sources().contains(r.target())) outside.add(r.target().toUpperCase(Locale.ROOT));
            }
        if (!outside.isEmpty())
            n.add("Mul for " + String.join(", ", outside) + ": not among the multi-lingual model's training languages (no "
                    + "training data here), so zero-shot there too; the paper's Mul model was trained on every language it reports.");
        if (sources.size() > 1)
            n.add("Mul is one model, trained on the union of the training sets: the rows from " + String.join(", ", sources)
                    + " repeat its scores for the same target (one measurement, counted once in the summary); the paper's Mul "
                    + "model is trained per pair, on the source's and the target's training data.");
        return List.copyOf(n);
    }

    /** Where the grid is not complete, which k the selection had to choose from. */
    private static String partial(List<Row> rows) {
        TreeSet<Integer> run = new TreeSet<>();
        for (Row r : rows)
            for (Group g : new Group[]{r.cross(), r.multi()})
                if (g != null && g.trials.containsKey("lowest")) run.addAll(g.trials.get("lowest").keySet());
        if (run.size() == ReportModel.K_MAX) return "";
        return run.isEmpty() ? " (no pruned trial has run yet)"
                : " (only k = " + String.join(", ", run.stream().map(String::valueOf).toList()) + (run.size() == 1 ? " has" : " have") + " run so far: the choice is among those)";
    }

    private static String split(Row r) {
        Group g = r.cross() != null ? r.cross() : r.multi();
        return g.reportedSplit(r.target());
    }

    private Table honestTable(TableKey key, List<Row> rows, String metric) {
        List<String> header = new ArrayList<>(List.of("SL→TL"));
        for (String set : List.of("Cr", "Mul")) header.addAll(List.of("k (dev) " + set, "Unp test " + set, "Pr test " + set, "Δ " + set + " [95% CI]"));
        List<List<String>> body = new ArrayList<>();
        for (Row r : rows) {
            List<String> c = new ArrayList<>(List.of(pair(r.source(), r.target())));
            for (Group g : new Group[]{r.cross(), r.multi()}) {
                Selection sel = g == null ? null : m.honestRule(g, r.target(), metric);
                if (sel == null) c.addAll(List.of(DASH, DASH, DASH, DASH));
                else c.addAll(List.of(String.valueOf(sel.k()), pct(sel.delta().base()), pct(sel.delta().value()), delta(sel.delta())));
            }
            body.add(c);
        }
        return new Table(id("honest", key.task(), metric, key.model(), key.masking(), String.valueOf(key.seed())),
                keyTitle(key) + ": " + ReportModel.metricName(metric), header, body,
                notes("k = the best of k = 1..12 on the target's dev set (ties: the smaller k); Unp/Pr/Δ on test" + partial(rows) + ".", rows));
    }

    private List<Table> summaryTables() {
        List<Table> out = new ArrayList<>();
        List<String> header = List.of("setting", "metric", "pairs", "paper rule: mean Δ", "improved", "mean k",
                "honest: mean Δ [95% CI]", "improved", "CI > 0", "CI < 0", "paper, all its pairs: mean Δ", "improved", "paper mean k", "paper, these pairs: mean Δ", "improved");
        m.paperRows().forEach((key, rows) -> {
            List<List<String>> body = new ArrayList<>();
            String pm = PaperNumbers.paperModel(key.model());
            for (String setting : List.of("cross", "multi", "cross, SL = TL", "multi, SL = TL"))
                for (String metric : m.metrics(key.task())) {
                    boolean cross = setting.startsWith("cross"), mono = setting.endsWith("SL = TL");
                    List<Double> pr = new ArrayList<>(), ks = new ArrayList<>(), pThese = new ArrayList<>();
                    Deltas hon = new Deltas();
                    int pairs = 0;
                    Set<List<Object>> seen = new HashSet<>();
                    for (Row r : rows) {
                        Group g = cross ? r.cross() : r.multi();
                        if (g == null || m.isTransfer(g, r.target()) == mono) continue;
                        // one multi-lingual model sits in the rows of every cross source it covers: count each target once
                        if (!seen.add(List.of(g, r.target()))) continue;
                        pairs++;
                        Selection a = m.paperRule(g, r.target(), metric), b = m.honestRule(g, r.target(), metric);
                        if (a != null) { pr.add(a.delta().diff()); ks.add((double) a.k()); }
                        if (b != null) hon.add(b.delta());
                        PaperNumbers.Row p = paper.row(key.task(), pm, r.source(), r.target());
                        if (p != null && a != null) pThese.add(cross ? p.prCr() - p.unpCr() : p.prMul() - p.unpMul());
                    }
                    if (pairs == 0) continue;
                    List<Double> pAll = new ArrayList<>();
                    if (metric.equals(RunResult.paperMetric(key.task())) && !mono)
                        paper.tables().forEach((k, p) -> {
                            String[] f = k.split("\\|");
                            if (f[0].equals(key.task()) && f[1].equals(pm)) pAll.add(cross ? p.prCr() - p.unpCr() : p.prMul() - p.unpMul());
                        });
                    boolean pap = metric.equals(RunResult.paperMetric(key.task()));
                    body.add(List.of(setting, metric, String.valueOf(pairs), mean(pr, 100), improved(pr), meanK(ks),
                            hon.mean(), improved(hon.diffs()), hon.all.isEmpty() ? DASH : String.valueOf(hon.up),
                            hon.all.isEmpty() ? DASH : String.valueOf(hon.down),
                            pap && !mono ? mean(pAll, 1) : DASH, pap && !mono ? improved(pAll) : DASH,
                            pap && !mono && paper.meanK(key.task(), pm) != null ? num(paper.meanK(key.task(), pm), 2) : DASH,
                            pap ? mean(pThese, 1) : DASH, pap ? improved(pThese) : DASH));
                }
            out.add(new Table(id("summary", key.task(), key.model(), key.masking(), String.valueOf(key.seed())), keyTitle(key), header, body,
                    List.of("pairs = source→target rows with target ≠ source (rows SL = TL apart, as the paper's English row of Table 4); improved = Δ > 0 (of those with a value); "
                            + "CI > 0 / CI < 0 = honest-rule intervals wholly above / below zero; the mean's interval: a stratified paired "
                            + "bootstrap over the targets' test sentences, k held at each target's choice; mean k = the mean number of heads "
                            + "pruned at the paper-rule k (paper mean k: its footnote 6, over both settings).",
                            "The paper's text states: " + PaperNumbers.stated(key.task()) + ". The honest rule's mean covers only targets "
                            + "with a labelled test split, so it may average fewer pairs than the paper rule's (the 'pairs' column counts all).")));
        });
        return out;
    }

    /** Each experiment, then its seed replicates (which have trials or not). */
    private List<Group> withReplicates() {
        List<Group> all = new ArrayList<>();
        for (Group g : m.groups) {
            all.add(g);
            for (Group[] p : m.seedControls) if (p[0] == g) all.add(p[1]);
        }
        return all;
    }

    /**
     * Per experiment (seed replicates included), metric, order and k: the mean over the targets ≠ source of Δ to k = 0,
     * how many targets improve, and how many of their paired intervals lie wholly above or below zero.
     */
    private List<Table> meanCurveTables() {
        List<List<String>> body = new ArrayList<>();
        for (Group g : withReplicates())
            for (String metric : m.metrics(g.exp.task()))
                for (String o : ReportModel.ORDERS)
                    for (int k : g.trials.getOrDefault(o, new TreeMap<>()).keySet()) {
                        Deltas d = meanDelta(g, metric, o, k);
                        if (d == null) continue;
                        body.add(concat(List.of(g.exp.label(), metric, o, String.valueOf(k), String.valueOf(d.all.size())),
                                concat(d.cells(), List.of(d.withSeed(m.seedSpread(g, metric))))));
                    }
        if (body.isEmpty()) return List.of();
        return List.of(new Table("means", "Mean Δ to k = 0 over the targets ≠ source, by order and k",
                List.of("experiment", "metric", "order", "k", "targets", "mean Δ [95% CI]", "improved", "CI > 0", "CI < 0",
                        "mean Δ, 95% CI with seed"), body,
                List.of("Δ = the trial − k = 0 on each target's reported split; the mean's 95% interval: a stratified paired "
                        + "bootstrap, each target's sentences resampled on their own and the targets' Δ averaged per draw (sentence "
                        + "sampling only, like every interval here but the last column); improved = targets with Δ > 0; CI > 0 / CI < 0 = "
                        + "targets whose 95% paired-bootstrap interval of Δ lies wholly above / below zero (sentence sampling only: "
                        + "see 'Seed-to-seed variation' for the fine-tuning seed). 95% CI with seed: the mean Δ ± t·√(σ̂² + se²), "
                        + "σ̂ the seed's spread of a mean Δ from the trials run under two seeds (next tables), se the sentence "
                        + "interval's width / 3.92; '—' where no trial of the experiment was repeated with another seed.")));
    }

    /**
     * Per seed control and metric: the other seed's k = 0 minus this experiment's, averaged over the same targets as the
     * curve: the mean Δ that fine-tuning randomness alone gives, beside which a trial's mean Δ must be read.
     */
    private List<Table> seedMeanTables() {
        List<List<String>> body = new ArrayList<>();
        for (Group[] p : m.seedControls)
            for (String metric : m.metrics(p[0].exp.task())) {
                Deltas d = seedMean(p, metric);
                if (d == null) continue;
                body.add(concat(List.of(p[0].exp.label(), metric, "seed " + p[1].exp.seed() + " − seed " + p[0].exp.seed(),
                        String.valueOf(d.all.size())), d.cells()));
            }
        if (body.isEmpty()) return List.of();
        return List.of(new Table("seed-means", "Two unpruned fine-tunes with different seeds: mean Δ over the same targets",
                List.of("experiment", "metric", "k = 0 runs", "targets", "mean Δ seed [95% CI]", "improved", "CI > 0", "CI < 0"), body,
                List.of("Δ seed = the other seed's k = 0 − this experiment's, on the same sentences (see 'Seed-to-seed variation'); "
                        + "its mean's interval is stratified over the targets as in the table above. Nothing is masked, so a trial's "
                        + "mean Δ of this size is what fine-tuning randomness alone gives, and an interval here that excludes 0 shows "
                        + "how far intervals over sentences understate a trial's uncertainty.")));
    }

    /**
     * Per seed control with repeated trials and metric: the seed-to-seed spread of one run's mean Δ ({@link SeedSpread}),
     * the seed-aware half-width it gives, and how many of the experiment's trials (both seeds) have a seed-aware
     * interval wholly above or below zero.
     */
    private List<Table> seedSpreadTables() {
        List<List<String>> body = new ArrayList<>();
        for (Group[] p : m.seedControls)
            for (String metric : m.metrics(p[0].exp.task())) {
                SeedSpread s = m.seedSpread(p, metric);
                if (s == null) continue;
                List<Double> rms = s.diffs().stream().map(d -> d * d).toList();
                List<SeedAware> all = seedAware(p, metric, s);
                long up = all.stream().filter(a -> a.interval()[0] > 0).count(), down = all.stream().filter(a -> a.interval()[1] < 0).count();
                body.add(List.of(p[0].exp.label(), metric, "seed " + p[0].exp.seed() + " − seed " + p[1].exp.seed(),
                        String.join("; ", s.trials()), String.valueOf(s.n()), num(100 * Math.sqrt(meanOf(rms)), 2),
                        num(100 * s.sigma(), 2) + " [" + num(100 * s.lower(), 2) + ", " + num(100 * s.upper(), 2) + "]",
                        "±" + num(100 * s.t() * s.sigma(), 2), up + " of " + all.size(), down + " of " + all.size()));
            }
        if (body.isEmpty()) return List.of();
        return List.of(new Table("seed-spread", "How far a trial's mean Δ moves with the fine-tuning seed",
                List.of("experiment", "metric", "d", "trials run under both seeds", "n", "RMS of d", "σ̂ [95% CI]",
                        "t·σ̂", "CI with seed > 0", "CI with seed < 0"), body,
                List.of("d = a trial's mean Δ over the targets (as in 'Mean Δ to k = 0') under one seed − under the other: the same "
                        + "heads masked, the same sentences, each against its own seed's k = 0, so d is fine-tuning randomness alone. "
                        + "Were the seeds exchangeable, E d = 0 and Var d = 2σ², σ the seed-to-seed standard deviation of one run's "
                        + "mean Δ: σ̂ = √(Σd² / 2n), its interval from χ² with n degrees of freedom. t·σ̂ (t: 97.5% of Student's t "
                        + "with n degrees of freedom) is the half-width a mean Δ's 95% interval has from the seed alone; with the "
                        + "sentences' share it gives the 'with seed' columns, and the last two columns count the trials of both seeds "
                        + "whose interval with seed lies wholly above / below zero. The n trials share each seed's k = 0 run, so they "
                        + "are not independent: n overstates the degrees of freedom and these intervals are, if anything, too narrow.")));
    }

    /** A seed control's other seed's k = 0 − its experiment's over the transfer targets; null where none has scores in both. */
    private Deltas seedMean(Group[] p, String metric) {
        Deltas d = new Deltas();
        for (ReportModel.SeedRow row : m.seedRows(p, metric)) if (m.isTransfer(p[0], row.target())) d.add(row.seed());
        return d.all.isEmpty() ? null : d;
    }

    /** Differences collected over targets, the interval of their mean, and how many of their own intervals lie wholly above / below zero. */
    private final class Deltas {
        final List<Delta> all = new ArrayList<>();
        int up, down, withCi;

        void add(Delta d) {
            all.add(d);
            if (d.ci() == null) return;
            withCi++;
            if (d.ci().sign() > 0) up++;
            if (d.ci().sign() < 0) down++;
        }

        List<Double> diffs() { return all.stream().map(Delta::diff).toList(); }

        /** The stratified interval of the mean Δ; null without statistics. */
        PairedBootstrap.Interval ci() { return m.meanInterval(all); }

        /** "+0.38 [+0.12, +0.61]": the mean Δ in points with its stratified interval (bare without statistics). */
        String mean() {
            return all.isEmpty() ? DASH : withInterval(meanOf(diffs()), ci());
        }

        /** "+0.38 [-4.90, +5.66]": the mean Δ with its seed-aware interval ({@link SeedSpread#interval}); a dash without a spread. */
        String withSeed(SeedSpread s) {
            if (s == null || all.isEmpty()) return DASH;
            double mean = meanOf(diffs());
            double[] i = s.interval(mean, ci());
            return signed(100 * mean) + " [" + signed(100 * i[0]) + ", " + signed(100 * i[1]) + "]";
        }

        /** The cells "mean Δ [95% CI]", "improved", "CI > 0", "CI < 0". */
        List<String> cells() {
            return List.of(mean(), improved(diffs()), withCi == 0 ? DASH : up + " of " + withCi, withCi == 0 ? DASH : down + " of " + withCi);
        }
    }

    /** One trial's Δ to k = 0 over the transfer targets ({@link ReportModel#isTransfer}); null where none has a score. */
    private Deltas meanDelta(Group g, String metric, String o, int k) {
        Deltas d = new Deltas();
        for (String t : m.transferTargets(g)) {
            Delta a = m.delta(g, o, k, t, g.reportedSplit(t), metric);
            if (a != null) d.add(a);
        }
        return d.all.isEmpty() ? null : d;
    }

    /**
     * Per experiment and seed replicate: the mean Δ of its main metric against k, one line per order, each point with its
     * stratified 95% interval; a grey band ± t·σ̂ where trials were repeated with another seed (the seed-spread table's:
     * how far a mean Δ moves with the seed alone), else, where only the k = 0 fine-tune was, ± the two unpruned runs' mean Δ
     * (the seed-means table's).
     */
    private List<String> meanCurveFigures() {
        List<String> out = new ArrayList<>();
        for (Group g : withReplicates()) {
            String metric = RunResult.mainMetric(g.exp.task());
            Map<String, double[][]> series = orderSeries(g, (o, k) -> {
                if (k == 0) return new double[]{0, Double.NaN, Double.NaN};
                Deltas d = meanDelta(g, metric, o, k);
                if (d == null) return new double[]{Double.NaN, Double.NaN, Double.NaN};
                PairedBootstrap.Interval ci = d.ci();
                return new double[]{100 * meanOf(d.diffs()), ci == null ? Double.NaN : 100 * ci.lower(), ci == null ? Double.NaN : 100 * ci.upper()};
            });
            if (series.isEmpty()) continue;
            double[] band = null;
            String bandLabel = null;
            for (Group[] p : m.seedControls) {
                if (p[0] != g && p[1] != g) continue;
                SeedSpread spread = m.seedSpread(p, metric);
                Deltas s = spread == null ? seedMean(p, metric) : null;   // the unpruned runs' difference only without a spread
                if (spread == null && s == null) continue;
                double half = 100 * (spread != null ? spread.t() * spread.sigma() : Math.abs(meanOf(s.diffs())));
                band = new double[]{-half, half};
                bandLabel = spread != null
                        ? String.format(Locale.ROOT, "±%.2f: t·σ̂, the seed's 95%% spread of a mean Δ (%d trial(s) run with seeds %d and %d)",
                                half, spread.n(), p[0].exp.seed(), p[1].exp.seed())
                        : String.format(Locale.ROOT, "±%.2f: |mean Δ| of the k = 0 runs with seeds %d and %d", half, p[0].exp.seed(), p[1].exp.seed());
            }
            String title = g.exp.label() + ": mean Δ over the targets";
            out.add(orderFigure(Charts.intervalLines(title, "k (heads masked)", "mean Δ " + metric + " ×100 to k = 0 (95% CI)", series,
                    band, bandLabel), series, title));
        }
        return out;
    }

    /**
     * Per experiment (seed replicates included), metric, control order and k where both the lowest-ranked and the control
     * heads were masked: the means over the targets ≠ source of Δ to k = 0 and of lowest − control, how many targets favour
     * lowest, and how many paired intervals of lowest − control lie wholly above or below zero.
     */
    private List<Table> controlTables() {
        List<List<String>> body = new ArrayList<>();
        for (Group g : withReplicates())
            for (String metric : m.metrics(g.exp.task()))
                for (String o : ReportModel.ORDERS) {
                    if (o.equals("lowest") || !g.trials.containsKey(o) || !g.trials.containsKey("lowest")) continue;
                    for (int k : g.trials.get(o).keySet()) {
                        List<String> row = controlRow(g, metric, o, k);
                        if (row != null) body.add(row);
                    }
                }
        if (body.isEmpty()) return List.of();
        return List.of(new Table("controls", "The paper's order against the controls, targets ≠ source",
                List.of("experiment", "metric", "control", "k", "targets", "mean Δ lowest", "mean Δ control", "mean lowest − control [95% CI]",
                        "lowest better", "CI > 0", "CI < 0", "lowest − control, 95% CI with seed"), body,
                List.of("Δ = the trial − k = 0 (each on its target's reported split, as in 'Every trial'); lowest better = targets where "
                        + "lowest − control > 0; the mean's interval is stratified over the targets as in 'Mean Δ to k = 0'; "
                        + "CI > 0 / CI < 0 = targets whose 95% paired-bootstrap interval of lowest − control lies "
                        + "wholly above / below zero (sentence sampling only: see 'Seed-to-seed variation' for the fine-tuning seed). "
                        + "95% CI with seed: as in 'Mean Δ to k = 0' (two fine-tunes of one seed differ by the seed's spread as a "
                        + "trial and its k = 0 do).")));
    }

    /**
     * Both selection rules applied to every order over the same k (those at which every order of the experiment ran, two
     * or more): the paper's rule picks each target's best of several runs, so it shows a gain even over random heads; the
     * order's gain beyond that is what the ranking adds. Per experiment (seed replicates included), metric and order.
     */
    private List<Table> selectionControlTables() {
        List<List<String>> body = new ArrayList<>();
        for (Group g : withReplicates()) {
            List<String> orders = ReportModel.ORDERS.stream().filter(g.trials::containsKey).toList();
            if (orders.size() < 2 || !orders.contains("lowest")) continue;
            List<Integer> ks = new ArrayList<>(g.trials.get("lowest").keySet());
            for (String o : orders) ks.retainAll(g.trials.get(o).keySet());
            if (ks.size() < 2) continue;
            String among = ks.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", "));
            for (String metric : m.metrics(g.exp.task()))
                for (String o : orders) {
                    List<Double> paper = new ArrayList<>(), paperK = new ArrayList<>();
                    Deltas honest = new Deltas(), beyond = new Deltas();
                    for (String t : m.transferTargets(g)) {
                        Selection p = m.paperRule(g, o, ks, t, metric);
                        if (p != null) { paper.add(p.delta().diff()); paperK.add((double) p.k()); }
                        Selection h = m.honestRule(g, o, ks, t, metric);
                        if (h == null) continue;
                        honest.add(h.delta());
                        Selection hl = m.honestRule(g, "lowest", ks, t, metric);
                        Delta d = o.equals("lowest") || hl == null ? null : m.compare(g.run("lowest", hl.k()), g.run(o, h.k()), t, "test", metric);
                        if (d != null) beyond.add(d);
                    }
                    if (paper.isEmpty()) continue;
                    body.add(List.of(g.exp.label(), metric, among, o, String.valueOf(paper.size()), mean(paper, 100), improved(paper), meanK(paperK),
                            String.valueOf(honest.all.size()), honest.mean(), improved(honest.diffs()), beyond.all.isEmpty() ? DASH : beyond.mean()));
                }
        }
        if (body.isEmpty()) return List.of();
        return List.of(new Table("selection-controls", "Both selection rules applied to every order, over the k they all ran",
                List.of("experiment", "metric", "k among", "order", "targets", "paper rule: mean Δ", "improved", "mean k",
                        "test targets", "honest: mean Δ [95% CI]", "improved", "honest: lowest − order [95% CI]"), body,
                List.of("The paper's rule (each target's best k on its reported split) and the honest rule (k chosen on the target's dev "
                        + "set, test reported once), each choosing among the k in 'k among' only, for the lowest-ranked heads and for "
                        + "the controls alike. A gain the paper's rule shows for random or the highest-ranked heads comes from picking "
                        + "the best of several runs, not from the ranking; the ranking's own share is the lowest row's gain beyond "
                        + "theirs. Δ = the chosen trial − k = 0; honest: lowest − order = the two honest choices compared on the same "
                        + "test sentences (the mean's interval stratified over the targets; sentence sampling only).")));
    }

    /** One row of the controls table: lowest k against control order {@code o} at k; null where no target has both. */
    private List<String> controlRow(Group g, String metric, String o, int k) {
        RunResult lowest = g.run("lowest", k), control = g.run(o, k);
        if (lowest == null) return null;
        List<Double> low = new ArrayList<>(), ctl = new ArrayList<>();
        Deltas diff = new Deltas();
        for (String t : m.transferTargets(g)) {
            String split = g.reportedSplit(t);
            Delta a = m.delta(g, "lowest", k, t, split, metric), b = m.delta(g, o, k, t, split, metric);
            Delta d = m.compare(lowest, control, t, split, metric);
            if (a == null || b == null || d == null) continue;
            low.add(a.diff());
            ctl.add(b.diff());
            diff.add(d);
        }
        if (diff.all.isEmpty()) return null;
        return concat(List.of(g.exp.label(), metric, o, String.valueOf(k), String.valueOf(diff.all.size()), mean(low, 100), mean(ctl, 100)),
                concat(diff.cells(), List.of(diff.withSeed(m.seedSpread(g, metric)))));
    }

    /** The mean difference, signed, in points: {@code scale} 100 for fractions, 1 for the paper's (already ×100). */
    private static String mean(List<Double> v, double scale) {
        return v.isEmpty() ? DASH : signed(scale * meanOf(v));
    }

    private static String meanK(List<Double> v) {
        return v.isEmpty() ? DASH : num(meanOf(v), 2);
    }

    private static String improved(List<Double> v) {
        return v.isEmpty() ? DASH : v.stream().filter(x -> x > 0).count() + " of " + v.size();
    }

    private List<Table> curveTables() {
        List<Table> out = new ArrayList<>();
        for (Group g : m.groups)
            for (String t : g.targets())
                for (String metric : m.metrics(g.exp.task())) {
                    String split = g.reportedSplit(t);
                    boolean dev = split.equals("test");
                    List<String> orders = ReportModel.ORDERS.stream().filter(o -> o.equals("lowest") || g.trials.containsKey(o)).toList();
                    List<String> header = new ArrayList<>(List.of("k"));
                    for (String o : orders) {
                        if (o.equals("lowest") && dev) header.add("lowest dev");
                        header.addAll(List.of(o + " " + split, "Δ " + o + " [95% CI]"));
                    }
                    List<String> controls = orders.stream().filter(o -> !o.equals("lowest")).toList();
                    for (String o : controls) header.add("lowest − " + o + " [95% CI]");
                    TreeSet<Integer> ks = new TreeSet<>(List.of(0));
                    g.trials.values().forEach(x -> ks.addAll(x.keySet()));
                    List<List<String>> body = new ArrayList<>();
                    for (int k : ks) {
                        List<String> c = new ArrayList<>(List.of(String.valueOf(k)));
                        for (String o : orders) {
                            String order = k == 0 ? "none" : o;
                            if (o.equals("lowest") && dev) {
                                RunResult.Metric dm = ReportModel.metric(g.run(order, k), t, "dev", metric);
                                c.add(dm == null ? DASH : pct(dm.value()));
                            }
                            Delta d = m.delta(g, order, k, t, split, metric);
                            c.add(d == null ? DASH : pct(d.value()));
                            c.add(d == null ? DASH : k == 0 ? "0" : delta(d));
                        }
                        // the paper's order against a control at the same k, on the same sentences
                        for (String o : controls) {
                            Delta d = k == 0 ? null : m.compare(g.run("lowest", k), g.run(o, k), t, split, metric);
                            c.add(delta(d));
                        }
                        body.add(c);
                    }
                    out.add(new Table(id("curve", g.exp.label(), t, metric), g.exp.label() + " → " + t.toUpperCase(Locale.ROOT) + ": "
                            + ReportModel.metricName(metric) + " (" + split + ")", header, body, List.of()));
                }
        return out;
    }

    /** One line per seed control and metric: how large the seed-to-seed differences are beside the pruning ones. */
    private List<String> seedSummary() {
        List<String> out = new ArrayList<>();
        for (Group[] p : m.seedControls)
            for (String metric : m.metrics(p[0].exp.task())) {
                List<Double> seed = new ArrayList<>(), pruning = new ArrayList<>();
                int excl = 0, withCi = 0, smaller = 0;
                String largest = null;
                double max = -1;
                for (ReportModel.SeedRow row : m.seedRows(p, metric)) {
                    if (!m.isTransfer(p[0], row.target())) continue;
                    Delta d = row.seed();
                    seed.add(Math.abs(d.diff()));
                    if (Math.abs(d.diff()) > max) { max = Math.abs(d.diff()); largest = row.target(); }
                    if (d.ci() != null) { withCi++; if (d.ci().sign() != 0) excl++; }
                    Selection h = row.pruning();
                    if (h != null) {
                        pruning.add(Math.abs(h.delta().diff()));
                        if (Math.abs(h.delta().diff()) <= Math.abs(d.diff())) smaller++;
                    }
                }
                if (seed.isEmpty()) continue;
                out.add("Seed-to-seed variation, " + p[0].exp.label() + " vs seed " + p[1].exp.seed() + ", " + metric + " (targets ≠ source): "
                        + "mean |Δ seed| " + num(100 * meanOf(seed), 2) + " points, largest " + num(100 * max, 2) + " ("
                        + largest.toUpperCase(Locale.ROOT) + "), " + excl + " of " + withCi + " intervals exclude 0"
                        + (pruning.isEmpty() ? "." : "; honest-rule pruning mean |Δ| " + num(100 * meanOf(pruning), 2) + " points, "
                        + smaller + " of " + pruning.size() + " no larger than the same target's |Δ seed|."));
                out.addAll(replicateSummary(p, metric));
                SeedSpread s = m.seedSpread(p, metric);
                if (s != null) out.add(spreadSummary(p, metric, s));
            }
        return out;
    }

    /** One trial's mean Δ over the targets (either seed of a seed control), its sentence interval and its interval with the seed. */
    private record SeedAware(String trial, long seed, double mean, PairedBootstrap.Interval ci, double[] interval) {}

    /** Every trial of both seeds of {@code p}, in the means table's order, with its interval with the seed. */
    private List<SeedAware> seedAware(Group[] p, String metric, SeedSpread s) {
        List<SeedAware> out = new ArrayList<>();
        for (Group g : List.of(p[0], p[1]))
            for (String o : ReportModel.ORDERS)
                for (int k : g.trials.getOrDefault(o, new TreeMap<>()).keySet()) {
                    Deltas d = meanDelta(g, metric, o, k);
                    if (d == null) continue;
                    double mean = meanOf(d.diffs());
                    out.add(new SeedAware(o + " k = " + k, g.exp.seed(), mean, d.ci(), s.interval(mean, d.ci())));
                }
        return out;
    }

    /** The seed's spread of a mean Δ beside the sentences' share, and the trials whose interval with both excludes 0. */
    private String spreadSummary(Group[] p, String metric, SeedSpread s) {
        List<SeedAware> all = seedAware(p, metric, s);
        List<Double> half = all.stream().filter(a -> a.ci() != null).map(a -> (a.ci().upper() - a.ci().lower()) / 2).toList();
        List<String> beyond = all.stream().filter(a -> a.interval()[0] > 0 || a.interval()[1] < 0)
                .map(a -> a.trial() + " (seed " + a.seed() + ") " + signed(100 * a.mean())).toList();
        return "Fine-tuning seed, " + p[0].exp.label() + ", " + metric + ": from the " + s.n() + " trial(s) run under seeds "
                + p[0].exp.seed() + " and " + p[1].exp.seed() + ", one run's mean Δ over the targets moves with the seed by σ̂ = "
                + num(100 * s.sigma(), 2) + " points [95% CI " + num(100 * s.lower(), 2) + ", " + num(100 * s.upper(), 2) + "], so its "
                + "95% interval is ±" + num(100 * s.t() * s.sigma(), 2) + " points from the seed alone"
                + (half.isEmpty() ? "" : ", against a mean half-width of " + num(100 * meanOf(half), 2) + " points from the sentences")
                + "; with both shares, " + beyond.size() + " of the " + all.size() + " trials (both seeds) have a mean Δ whose 95% interval excludes 0"
                + (beyond.isEmpty() ? "." : ": " + String.join(", ", beyond) + ".");
    }

    /** Per trial repeated with the other seed: the mean pruning Δ under each seed, and how often the two agree. */
    private List<String> replicateSummary(Group[] p, String metric) {
        Map<String, List<ReportModel.ReplicateRow>> byTrial = new LinkedHashMap<>();
        for (ReportModel.ReplicateRow r : m.replicateRows(p, metric))
            if (m.isTransfer(p[0], r.target())) byTrial.computeIfAbsent(r.order() + " k = " + r.k(), x -> new ArrayList<>()).add(r);
        List<String> out = new ArrayList<>();
        byTrial.forEach((trial, rows) -> {
            List<Double> a = new ArrayList<>(), b = new ArrayList<>(), sq = new ArrayList<>(), half = new ArrayList<>();
            int same = 0, bothExclude = 0;
            for (ReportModel.ReplicateRow r : rows) {
                a.add(r.first().diff());
                b.add(r.second().diff());
                sq.add(Math.pow(r.first().diff() - r.second().diff(), 2));
                for (Delta d : List.of(r.first(), r.second())) if (d.ci() != null) half.add((d.ci().upper() - d.ci().lower()) / 2);
                if (Math.signum(r.first().diff()) == Math.signum(r.second().diff())) same++;
                if (r.first().ci() != null && r.second().ci() != null && r.first().ci().sign() != 0 && r.first().ci().sign() == r.second().ci().sign())
                    bothExclude++;
            }
            out.add("Replicated with seed " + p[1].exp.seed() + ", " + p[0].exp.label() + ", " + trial + ", " + metric + " (targets ≠ source): "
                    + "mean Δ to k = 0 " + signed(100 * meanOf(a)) + " (seed " + p[0].exp.seed() + "), " + signed(100 * meanOf(b))
                    + " (seed " + p[1].exp.seed() + "); the same sign on " + same + " of " + rows.size() + " targets, both intervals on the "
                    + "same side of 0 on " + bothExclude + "; fine-tuning randomness alone moves a target's Δ by "
                    + num(100 * Math.sqrt(meanOf(sq)), 2) + " points (root mean square of Δ seed " + p[0].exp.seed() + " − Δ seed "
                    + p[1].exp.seed() + ")" + (half.isEmpty() ? "." : ", against a mean half-width of " + num(100 * meanOf(half), 2)
                    + " points of their 95% intervals, which cover the sampling of sentences only."));
        });
        return out;
    }

    private static double meanOf(List<Double> v) {
        double s = 0;
        for (double x : v) s += x;
        return s / v.size();
    }

    private List<Table> seedTables() {
        List<Table> out = new ArrayList<>();
        for (Group[] p : m.seedControls)
            for (String metric : m.metrics(p[0].exp.task())) {
                long a = p[0].exp.seed(), b = p[1].exp.seed();
                List<List<String>> body = new ArrayList<>();
                for (ReportModel.SeedRow row : m.seedRows(p, metric)) {
                    Delta d = row.seed();
                    Selection h = row.pruning();
                    body.add(List.of(pair(p[0].exp.sourceLabel(), row.target()), row.split(), pct(d.base()), pct(d.value()), delta(d),
                            h == null ? DASH : String.valueOf(h.k()), h == null ? DASH : delta(h.delta()),
                            h == null ? DASH : Math.abs(h.delta().diff()) > Math.abs(d.diff()) ? "yes" : "no"));
                }
                if (body.isEmpty()) continue;
                out.add(new Table(id("seed", p[0].exp.label(), String.valueOf(b), metric), p[0].exp.label() + " vs seed " + b + ": "
                        + ReportModel.metricName(metric),
                        List.of("SL→TL", "split", "Unp seed " + a, "Unp seed " + b, "Δ seed [95% CI]", "k (dev)",
                                "pruning Δ, honest rule [95% CI]", "|pruning Δ| > |Δ seed|"), body,
                        List.of("Pruning Δ: seed " + a + "'s k chosen on dev, test reported once (as in 'k chosen on dev'); '—' where the target has no labelled test split.")));
                List<List<String>> rep = new ArrayList<>();
                for (ReportModel.ReplicateRow r : m.replicateRows(p, metric))
                    rep.add(List.of(pair(p[0].exp.sourceLabel(), r.target()), r.split(), r.order() + " k = " + r.k(), delta(r.first()), delta(r.second()),
                            signed(100 * (r.first().diff() + r.second().diff()) / 2),
                            Math.signum(r.first().diff()) == Math.signum(r.second().diff()) ? "yes" : "no"));
                if (!rep.isEmpty())
                    out.add(new Table(id("replicate", p[0].exp.label(), String.valueOf(b), metric), p[0].exp.label() + ", trials repeated with seed "
                            + b + ": " + ReportModel.metricName(metric),
                            List.of("SL→TL", "split", "trial", "Δ seed " + a + " [95% CI]", "Δ seed " + b + " [95% CI]", "mean Δ", "same sign"), rep,
                            List.of("Δ = the trial − the k = 0 run of the same seed, on the same sentences. The replicate masks the same heads "
                                    + "(the seed-" + a + " tagger's ranking), so the two columns differ by fine-tuning randomness alone.")));
            }
        return out;
    }

    private List<Table> maskingTables(List<Group[]> pairs) {
        List<Table> out = new ArrayList<>();
        for (Group[] p : pairs)
            for (String metric : m.metrics(p[0].exp.task())) {
                List<List<String>> body = new ArrayList<>();
                TreeSet<String> targets = new TreeSet<>(p[0].targets());
                targets.addAll(p[1].targets());
                for (String t : targets)
                    for (String order : ReportModel.ORDERS)
                        for (int k = 1; k <= ReportModel.maxK(p[0]); k++) {
                            RunResult a = p[1].run(order, k), b = p[0].run(order, k);
                            if (a == null || b == null) continue;
                            String split = p[0].reportedSplit(t);
                            Delta d = m.compare(a, b, t, split, metric);
                            if (d == null) continue;
                            body.add(List.of(t.toUpperCase(Locale.ROOT), order, String.valueOf(k), split, pct(d.base()), pct(d.value()), delta(d)));
                        }
                if (body.isEmpty()) continue;
                String label = p[0].exp.task() + " " + p[0].exp.sourceLabel() + " " + p[0].exp.setting() + " · " + p[0].exp.model();
                out.add(new Table(id("masking", label, metric), label + ": " + ReportModel.metricName(metric),
                        List.of("target", "order", "k", "split", "train+eval", "train-only", "Δ [95% CI]"), body, List.of()));
            }
        return out;
    }

    private List<String> curveFigures() {
        List<String> out = new ArrayList<>();
        for (Group g : m.groups)
            for (String t : g.targets()) {
                String metric = RunResult.mainMetric(g.exp.task()), split = g.reportedSplit(t);
                Map<String, double[][]> series = orderSeries(g, (o, k) -> {
                    RunResult.Metric v = ReportModel.metric(g.run(k == 0 ? "none" : o, k), t, split, metric);
                    return new double[]{v == null ? Double.NaN : 100 * v.value()};
                });
                if (series.isEmpty()) continue;
                String title = g.exp.label() + " → " + t.toUpperCase(Locale.ROOT);
                out.add(orderFigure(Charts.lines(title, "k (heads masked)", metric + " ×100 (" + split + ")", series), series, title));
            }
        return out;
    }

    /**
     * Per order run in {@code g}: rows {k, point(order, k)...} for k = 0..the largest k run (NaN: not run), as the charts
     * take them; empty where no order has trials.
     */
    private static Map<String, double[][]> orderSeries(Group g, java.util.function.BiFunction<String, Integer, double[]> point) {
        int kMax = Math.max(ReportModel.maxK(g), 1);
        Map<String, double[][]> series = new LinkedHashMap<>();
        for (String o : ReportModel.ORDERS) {
            if (!g.trials.containsKey(o)) continue;
            double[][] rows = null;
            for (int k = 0; k <= kMax; k++) {
                double[] p = point.apply(o, k);
                if (rows == null) rows = new double[1 + p.length][kMax + 1];
                rows[0][k] = k;
                for (int j = 0; j < p.length; j++) rows[1 + j][k] = p[j];
            }
            series.put(o, rows);
        }
        return series;
    }

    /** The chart of {@code series} with each order in its colour, as a figure. */
    private String orderFigure(org.jfree.chart.JFreeChart chart, Map<String, double[][]> series, String title) {
        int i = 0;
        for (String o : series.keySet()) chart.getXYPlot().getRenderer().setSeriesPaint(i++, ORDER_COLORS.get(o));
        return figure(chart, 640, 400, title);
    }

    /** One fixed colour per order, so the page's show/hide controls can find a series by its colour in every chart. */
    private static final Map<String, java.awt.Color> ORDER_COLORS = Map.of("lowest", new java.awt.Color(214, 39, 40),
            "highest", new java.awt.Color(31, 119, 180), "random", new java.awt.Color(44, 160, 44));

    private static String orderControls() {
        StringBuilder sb = new StringBuilder("<style>\n");
        for (String o : ReportModel.ORDERS) {
            java.awt.Color c = ORDER_COLORS.get(o);
            sb.append(String.format(Locale.ROOT, "#show-%s:not(:checked) ~ .figs [style*=\"rgb(%d,%d,%d)\"]{display:none}%n", o, c.getRed(), c.getGreen(), c.getBlue()));
        }
        sb.append("</style>\n<span class=\"controls\">Show in the k-curves:</span>\n");
        for (String o : ReportModel.ORDERS)
            sb.append("<input type=\"checkbox\" id=\"show-").append(o).append("\" checked><label for=\"show-").append(o).append("\">")
                    .append(o).append(o.equals("lowest") ? " (the paper's)" : " (control)").append("</label>\n");
        return sb.toString();
    }

    private String figure(org.jfree.chart.JFreeChart chart, int w, int h, String caption) {
        String svg = Charts.svgElement(chart, w, h, "f" + (++figures));
        return "<figure>" + svg + "<figcaption>" + esc(caption) + "</figcaption></figure>";
    }

    private Section headsSection(boolean withFigures) {
        List<Table> tables = new ArrayList<>();
        List<String> figs = new ArrayList<>();
        for (Runs.Heads h : runs.heads()) {
            ImportanceReport r = h.report();
            var sp = r.spearman();
            List<String> langs = List.copyOf(sp.keySet());
            if (langs.size() > 1) {
                List<String> header = new ArrayList<>(List.of(""));
                header.addAll(langs);
                List<List<String>> body = new ArrayList<>();
                for (String a : langs) {
                    List<String> c = new ArrayList<>(List.of(a));
                    for (String b : langs) c.add(num(sp.get(a).get(b), 3));
                    body.add(c);
                }
                tables.add(new Table(id("spearman", h.label()), h.label() + ": Spearman's ρ between the languages' head rankings ("
                        + r.method() + ")", header, body, List.of(r.layers() + " layers × " + r.heads() + " heads.")));
                if (h.task() != null) {
                    List<List<String>> pb = new ArrayList<>();
                    for (int i = 0; i < langs.size(); i++)
                        for (int j = i + 1; j < langs.size(); j++) {
                            Double p = paper.spearman(h.task(), "mbert", langs.get(i), langs.get(j));
                            if (p != null) pb.add(List.of(pair(langs.get(i), langs.get(j)).replace("→", "–"), num(sp.get(langs.get(i)).get(langs.get(j)), 3), num(p, 2)));
                        }
                    if (!pb.isEmpty())
                        tables.add(new Table(id("spearman-paper", h.label()), h.label() + ": ρ beside the paper's (mBERT, Fig. 1, " + h.task() + ")",
                                List.of("pair", "ours", "paper"), pb, h.task().equals("ner") ? List.of("The paper's NER values were read off its figure.") : List.of()));
                }
            }
            Table rel = reliabilityTable(h, r, sp);
            if (rel != null) tables.add(rel);
            Table methods = rankingMethodsTable(h, r);
            if (methods != null) tables.add(methods);
            if (withFigures) {
                for (var e : r.languages().entrySet())
                    figs.add(figure(Charts.heatmap(e.getValue().ranking(r.method()), h.label() + ": " + e.getKey()), 520, 330,
                            h.label() + ": head importance, " + e.getKey() + " (normalised; layer 0 on top)"));
                if (r.languages().size() > 1) {
                    HeadScores agg = r.aggregate();
                    figs.add(figure(Charts.heatmap(agg, h.label() + ": ranking"), 520, 330,
                            h.label() + ": the ranking used for pruning (" + String.join(", ", r.rankingLanguages()) + ")"));
                }
            }
        }
        tables.addAll(betweenTaggersTables(runs.heads()));
        return new Section("heads", "Head importance and rank correlation", runs.heads().isEmpty() ? List.of("No heads files.") : List.of(),
                tables, figs);
    }

    /**
     * The same language ranked by two taggers of one task (say the cross-lingual and the multi-lingual one, each on its
     * own fine-tune): how much of a ranking belongs to the language and how much to the fine-tuned model. One table per
     * task with two or more heads files of the same shape; each file ranks with its own method.
     */
    private static List<Table> betweenTaggersTables(List<Runs.Heads> heads) {
        Map<String, List<Runs.Heads>> byTask = new TreeMap<>();
        for (Runs.Heads h : heads) if (h.task() != null) byTask.computeIfAbsent(h.task(), x -> new ArrayList<>()).add(h);
        List<Table> out = new ArrayList<>();
        for (var e : byTask.entrySet()) {
            List<List<String>> body = new ArrayList<>();
            List<Runs.Heads> hs = e.getValue();
            for (int i = 0; i < hs.size(); i++)
                for (int j = i + 1; j < hs.size(); j++) {
                    ImportanceReport a = hs.get(i).report(), b = hs.get(j).report();
                    if (a.layers() != b.layers() || a.heads() != b.heads()) continue;
                    String files = hs.get(i).label() + " · " + hs.get(j).label();
                    double[][] p = a.aggregate().pairedWith(b.aggregate());
                    body.add(List.of(files, "pruning ranking (" + String.join("+", a.rankingLanguages()) + " · "
                            + String.join("+", b.rankingLanguages()) + ")", DASH, DASH, num(Spearman.rho(p[0], p[1]), 3), DASH, DASH));
                    for (var la : a.languages().entrySet()) {
                        ImportanceReport.Language lb = b.languages().get(la.getKey());
                        if (lb == null) continue;
                        double[][] q = la.getValue().ranking(a.method()).pairedWith(lb.ranking(b.method()));
                        double rho = Spearman.rho(q[0], q[1]);
                        Double ceil = ceiling(la.getValue().splitHalf(), lb.splitHalf());
                        body.add(List.of(files, la.getKey(), String.valueOf(la.getValue().sentences()), String.valueOf(lb.sentences()),
                                num(rho, 3), ceil == null ? DASH : num(ceil, 3), ceil == null ? DASH : num(rho / ceil, 3)));
                    }
                }
            if (!body.isEmpty())
                out.add(new Table(id("between-taggers", e.getKey()), e.getKey().toUpperCase(Locale.ROOT)
                        + ": the same language ranked by two taggers", List.of("heads files", "language", "sentences (first)",
                        "sentences (second)", "Spearman ρ", "ceiling √(rel · rel)", "ρ / ceiling"), body,
                        List.of("Each file ranks with the tagger its sweep fine-tuned. ρ well below the ceiling (set by the two rankings' "
                                + "split-half reliabilities, where both files have them) means the ranking depends on the fine-tuned model, "
                                + "not only on the language; the pruning rows compare the rankings each sweep pruned by.")));
        }
        return out;
    }

    /**
     * How far the languages' rankings can agree at all: each language's split-half ρ (alternate batches), its
     * Spearman–Brown estimate for the whole set, and the ρ with the reference language
     * ({@link ImportanceReport#referenceLanguage()}) divided by the geometric mean of the two reliabilities (Spearman's
     * correction for attenuation; approximate for rank correlations, and it can exceed 1 by chance). Null when the file
     * has no split-half values (files from before they were recorded).
     */
    private static Table reliabilityTable(Runs.Heads h, ImportanceReport r, Map<String, Map<String, Double>> sp) {
        if (r.languages().values().stream().noneMatch(l -> l.splitHalf() != null)) return null;
        String src = r.referenceLanguage();
        Double srcHalf = r.languages().get(src).splitHalf();
        List<List<String>> body = new ArrayList<>();
        for (var e : r.languages().entrySet()) {
            Double half = e.getValue().splitHalf();
            Double rel = half == null ? null : HeadImportance.spearmanBrown(half);
            double rho = sp.get(e.getKey()).get(src);
            Double ceil = e.getKey().equals(src) ? null : ceiling(half, srcHalf);
            body.add(List.of(e.getKey(), String.valueOf(e.getValue().sentences()), half == null ? DASH : num(half, 3),
                    rel == null ? DASH : num(rel, 3), e.getKey().equals(src) ? DASH : num(rho, 3),
                    ceil == null ? DASH : num(ceil, 3), ceil == null ? DASH : num(rho / ceil, 3)));
        }
        return new Table(id("reliability", h.label()), h.label() + ": how well each language's ranking agrees with itself",
                List.of("language", "sentences", "split-half ρ", "reliability (Spearman–Brown)", "ρ with " + src,
                        "ceiling √(rel · rel " + src + ")", "ρ / ceiling"), body,
                List.of("split-half ρ: the rankings of a language's even- and odd-numbered (length-sorted) batches; reliability = "
                        + "2ρ / (1 + ρ), the estimate for the whole set. Two rankings that are each this noisy cannot correlate "
                        + "above the ceiling even if the languages' true rankings were identical; ρ / ceiling is Spearman's "
                        + "correction for attenuation (approximate for rank correlations; above 1 means 'as similar as the noise allows')."));
    }

    /**
     * The highest ρ two rankings with these split-half ρ can reach: the geometric mean of their Spearman–Brown
     * reliabilities; null when either is unknown or not positive.
     */
    private static Double ceiling(Double halfA, Double halfB) {
        if (halfA == null || halfB == null || halfA <= 0 || halfB <= 0) return null;
        return Math.sqrt(HeadImportance.spearmanBrown(halfA) * HeadImportance.spearmanBrown(halfB));
    }

    /**
     * The paper's ranking (gate gradients) beside the one the authors' released code computes (K/V weight gradients,
     * input-column blocks, L1 per layer), on the same batches: Spearman's ρ and how many of the k lowest-ranked heads the
     * two share. Null when the file has no released-code tables.
     */
    private static Table rankingMethodsTable(Runs.Heads h, ImportanceReport r) {
        if (r.languages().values().stream().noneMatch(l -> l.released() != null)) return null;
        int[] ks = java.util.stream.IntStream.of(4, 8, 12).filter(k -> k <= r.layers() * r.heads()).toArray();
        List<List<String>> body = new ArrayList<>();
        for (var e : r.languages().entrySet()) {
            HeadScores gate = e.getValue().gradient(), kv = e.getValue().released();
            if (kv == null) continue;
            double[][] p = gate.pairedWith(kv);
            List<String> row = new ArrayList<>(List.of(e.getKey(), num(Spearman.rho(p[0], p[1]), 3)));
            List<HeadId> ga = gate.ascending(), ka = kv.ascending();
            for (int k : ks) {
                Set<HeadId> a = new HashSet<>(ga.subList(0, Math.min(k, ga.size())));
                a.retainAll(ka.subList(0, Math.min(k, ka.size())));
                row.add(a.size() + " / " + k);
            }
            row.add(String.join(" ", ka.subList(0, Math.min(4, ka.size())).stream().map(HeadId::toString).toList()));
            row.add(num(gate.betweenLayerRho(), 3));
            row.add(num(kv.betweenLayerRho(), 3));
            body.add(row);
        }
        List<String> header = new ArrayList<>(List.of("language", "Spearman ρ"));
        for (int k : ks) header.add("shared lowest " + k);
        header.add("released code's lowest 4");
        header.add("between layers: gate ρ");
        header.add("between layers: released ρ");
        return new Table(id("methods", h.label()), h.label() + ": the paper's ranking (gate gradients) vs the released code's (K/V weight gradients)",
                header, body,
                List.of("Both tables from the same batches of the same k = 0 tagger. Released code's: per batch the mean |∂L/∂W_K| + mean "
                        + "|∂L/∂W_V| over each head's block of the weight's input columns (its view(768, 12, 64) of an [out, in] "
                        + "matrix; the query ignored), summed over batches, each layer divided by its L1 sum, then min-max. The released "
                        + "code takes these gradients on the test split; here they are taken on the same dev data as the gate ranking, "
                        + "so the table compares the methods only. Trials are ranked by the gate gradients (the paper's text). "
                        + "Between layers: the mean Spearman ρ between every two layers' scores over the head index; a head's "
                        + "index means nothing from one layer to the next, so a ranking of heads should be near 0 there, while "
                        + "input-column blocks are the same residual-stream features in every layer."));
    }

    private Table budgetTable() {
        List<List<String>> body = new ArrayList<>();
        List<Group> every = new ArrayList<>(m.groups);
        for (Group[] p : m.seedControls) every.add(p[1]);
        for (Group g : every) {
            List<RunResult> all = new ArrayList<>();
            if (g.base != null) all.add(g.base);
            g.trials.values().forEach(x -> all.addAll(x.values()));
            RunResult ref = all.get(0);
            double wall = 0;
            int walls = 0;
            long rss = -1;
            for (RunResult r : all) {
                if (!Double.isNaN(r.run().wallSeconds())) { wall += r.run().wallSeconds(); walls++; }
                rss = Math.max(rss, r.run().peakRssBytes());
            }
            List<String> evals = new ArrayList<>();
            for (String t : g.targets()) {
                String split = g.reportedSplit(t);
                RunResult.Split s = ref.results().getOrDefault(t, Map.of()).get(split);
                if (s != null && s.sentences() >= 0) evals.add(t + " " + s.sentences());
            }
            RunResult.Run u = ref.run();
            body.add(List.of(g.exp.label(), String.valueOf(all.size()), u.trainSentences() < 0 ? DASH : String.valueOf(u.trainSentences()),
                    num(u.epochs(), 1), Double.isNaN(u.lr()) ? DASH : String.format(Locale.ROOT, "%.0e", u.lr()),
                    u.batchSize() < 0 ? DASH : String.valueOf(u.batchSize()), u.maxLength() < 0 ? DASH : String.valueOf(u.maxLength()),
                    walls == 0 ? DASH : num(wall / walls, 0), rss < 0 ? DASH : num(rss / (double) (1L << 30), 2),
                    evals.isEmpty() ? DASH : String.join(", ", evals)));
        }
        return new Table("runs-used", "Budget and cost per experiment (from its k = 0 run, or its first trial)",
                List.of("experiment", "runs", "train sentences", "epochs", "lr", "batch", "max length", "wall s per run (mean)",
                        "peak RSS GiB (max)", "evaluation sentences (reported split)"), body,
                List.of("Wall time is that of the process that finished each run: a run stopped and resumed counts its last sitting only "
                        + "(its trial file says \"resumed\"; the grids' logs/NOTES.md give the sittings)."));
    }

    // ------------------------------------------------------------------------------------------------ Markdown

    private String markdown(List<Section> sections) {
        StringBuilder sb = new StringBuilder("# " + title + "\n\n");
        sb.append("Generated by `headlens report` from the result files; regenerating from the same files gives the same bytes.\n");
        for (Section s : sections) {
            sb.append("\n## ").append(s.title()).append("\n\n");
            for (String t : s.text()) sb.append(t).append(t.startsWith("- ") ? "\n" : "\n\n");
            if (!s.text().isEmpty() && s.text().get(s.text().size() - 1).startsWith("- ")) sb.append('\n');
            for (Table t : s.tables()) {
                sb.append("### ").append(t.title()).append("\n\n|");
                t.header().forEach(h -> sb.append(' ').append(mdCell(h)).append(" |"));
                sb.append("\n|");
                for (int i = 0; i < t.header().size(); i++) sb.append(i == 0 ? "---|" : "---:|");
                sb.append('\n');
                for (List<String> r : t.rows()) {
                    sb.append('|');
                    r.forEach(c -> sb.append(' ').append(mdCell(c)).append(" |"));
                    sb.append('\n');
                }
                sb.append('\n');
                for (String n : t.notes()) sb.append(n).append("\n\n");
            }
        }
        return sb.toString();
    }

    private static String mdCell(String s) { return s.isEmpty() ? " " : s.replace("|", "\\|"); }

    // ------------------------------------------------------------------------------------------------ HTML

    private static final Pattern CI = Pattern.compile("^([+-]\\d+\\.\\d+) \\[([+-]\\d+\\.\\d+), ([+-]\\d+\\.\\d+)\\]$");
    private static final Pattern NUMBER = Pattern.compile("^[+-]?\\d.*|^—$");

    private String html(List<Section> sections) {
        StringBuilder sb = new StringBuilder("""
                <!DOCTYPE html>
                <html lang="en">
                <head>
                <meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <title>TITLE</title>
                <style>
                body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:24px auto;max-width:1500px;padding:0 16px;color:#1a1a1a}
                h1{font-size:24px}h2{font-size:19px;margin-top:32px;border-bottom:1px solid #ccc;padding-bottom:4px}h3{font-size:15px;margin:20px 0 6px}
                nav a{margin-right:14px}
                table{border-collapse:collapse;margin:6px 0 4px;font-variant-numeric:tabular-nums}
                th,td{border:1px solid #d4d4d4;padding:3px 7px;white-space:nowrap}
                th{background:#f2f2f2;font-weight:600;white-space:normal;max-width:8em;vertical-align:bottom}td.n{text-align:right}
                label{margin:0 14px 0 3px}span.controls{font-weight:600;margin-right:8px}
                td.up{background:#dff0d8}td.down{background:#f7dcdc}
                p.note{color:#555;font-size:12.5px;margin:2px 0 10px}
                .figs{display:flex;flex-wrap:wrap;gap:12px}
                figure{margin:0;width:520px}figure svg{width:100%;height:auto;border:1px solid #e4e4e4}
                figcaption{font-size:12px;color:#444}
                details{margin:4px 0}summary{cursor:pointer;font-weight:600}
                ul.missing{font-size:13px}
                </style>
                </head>
                <body>
                <h1>TITLE</h1>
                <p>Generated by <code>headlens report</code> from the result files; regenerating from the same files gives the same bytes.</p>
                <nav>""".replace("TITLE", esc(title)));
        for (Section s : sections) sb.append("<a href=\"#").append(s.id()).append("\">").append(esc(s.title())).append("</a>");
        sb.append("</nav>\n");
        for (Section s : sections) {
            sb.append("<section id=\"").append(s.id()).append("\">\n<h2>").append(esc(s.title())).append("</h2>\n");
            List<String> items = s.text().stream().filter(t -> t.startsWith("- ")).toList();
            for (String t : s.text()) if (!t.startsWith("- ")) sb.append("<p>").append(esc(t)).append("</p>\n");
            if (!items.isEmpty()) {
                sb.append("<ul class=\"missing\">\n");
                items.forEach(t -> sb.append("<li>").append(esc(t.substring(2))).append("</li>\n"));
                sb.append("</ul>\n");
            }
            if (!s.figures().isEmpty()) {
                if (s.id().equals("curves")) sb.append(orderControls());
                sb.append("<div class=\"figs\">\n");
                s.figures().forEach(f -> sb.append(f).append('\n'));
                sb.append("</div>\n");
            }
            boolean fold = s.id().equals("curves");
            for (Table t : s.tables()) {
                if (fold) sb.append("<details><summary>").append(esc(t.title())).append("</summary>\n");
                else sb.append("<h3>").append(esc(t.title())).append("</h3>\n");
                sb.append(htmlTable(t));
                for (String n : t.notes()) sb.append("<p class=\"note\">").append(esc(n)).append("</p>\n");
                if (fold) sb.append("</details>\n");
            }
            sb.append("</section>\n");
        }
        sb.append("</body>\n</html>\n");
        return sb.toString();
    }

    private static String htmlTable(Table t) {
        StringBuilder sb = new StringBuilder("<table id=\"").append(t.id()).append("\">\n<thead><tr>");
        t.header().forEach(h -> sb.append("<th>").append(esc(h)).append("</th>"));
        sb.append("</tr></thead>\n<tbody>\n");
        boolean spearman = t.id().startsWith("spearman-") && !t.id().startsWith("spearman-paper");
        for (List<String> r : t.rows()) {
            sb.append("<tr>");
            for (int i = 0; i < r.size(); i++) {
                String c = r.get(i);
                String cls = i > 0 && NUMBER.matcher(c).matches() ? "n" : "";
                Matcher ci = CI.matcher(c);
                if (ci.matches() && !t.id().startsWith("paper-")) {   // the paper's rule picks k on these very scores: no colour
                    double lo = Double.parseDouble(ci.group(2)), hi = Double.parseDouble(ci.group(3));
                    if (lo > 0) cls += " up";
                    if (hi < 0) cls += " down";
                }
                String style = "";
                if (spearman && i > 0 && !c.equals(DASH)) {   // shade by rho: white (0) to blue (1)
                    double v = Math.max(0, Math.min(1, Double.parseDouble(c)));
                    int w = (int) Math.round(255 - 130 * v);
                    style = String.format(Locale.ROOT, " style=\"background:rgb(%d,%d,255)\"", w, w);
                }
                sb.append(cls.isEmpty() ? "<td" : "<td class=\"" + cls.trim() + "\"").append(style).append('>').append(esc(c)).append("</td>");
            }
            sb.append("</tr>\n");
        }
        return sb.append("</tbody>\n</table>\n").toString();
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
