package headlens.cli;

import headlens.eval.SentenceStats;
import headlens.eval.TokenAccuracy;
import headlens.heads.HeadScores;
import headlens.heads.ImportanceReport;
import headlens.report.PairedBootstrap;
import headlens.report.RunResult;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code headlens report} on a synthetic, partly finished set of POS runs (cross-lingual from en to en, de and a
 * dev-only zh; multi-lingual de+en), written through {@link RunResult.Split#score} as an evaluation run would: the
 * HTML is parsed with jsoup and its numbers are checked against token accuracies, selections, means and a Spearman ρ
 * computed here independently; the page must reference nothing outside itself, and a second run must give the same bytes.
 */
class ReportCommandTest {
    static final String[] TAGS = {"NOUN", "VERB", "DET", "ADJ", "ADP", "PUNCT"};
    static final Map<String, List<List<String>>> GOLD = new LinkedHashMap<>();   // "de/test" -> sentences
    static final Map<String, List<List<String>>> PRED = new LinkedHashMap<>();   // "cross/lowest/1/de/test" -> predictions

    @TempDir
    static Path tmp;
    static Path runs, out;
    static Document html;

    static List<String> splitsOf(String lang) { return lang.equals("zh") ? List.of("dev") : List.of("dev", "test"); }

    @BeforeAll
    static void build() throws Exception {
        Random rnd = new Random(3);
        for (String lang : List.of("en", "de", "zh"))
            for (String split : splitsOf(lang)) {
                List<List<String>> g = new ArrayList<>();
                for (int s = 0; s < 60; s++) {
                    List<String> x = new ArrayList<>();
                    for (int w = 0; w < 3 + rnd.nextInt(10); w++) x.add(TAGS[rnd.nextInt(TAGS.length)]);
                    g.add(x);
                }
                GOLD.put(lang + "/" + split, g);
            }
        runs = tmp.resolve("runs");
        out = tmp.resolve("out");
        trial("cross", List.of("en"), "none", 0);
        for (int k = 1; k <= 3; k++) trial("cross", List.of("en"), "lowest", k);
        trial("cross", List.of("en"), "highest", 4);
        trial("cross", List.of("en"), "highest", 2);
        trial("cross", List.of("en"), "lowest", 1, "train-only");
        trial("cross", List.of("en"), "lowest", 2, "train-only");
        trial("cross", List.of("en"), "none", 0, "train+eval", 43);   // the seed control: k = 0, another seed,
        trial("cross", List.of("en"), "lowest", 2, "train+eval", 43);   // and one trial repeated with it (sweep --seed)
        trial("multi", List.of("de", "en"), "none", 0);
        for (int k = 1; k <= 2; k++) trial("multi", List.of("de", "en"), "lowest", k);
        Files.writeString(runs.resolve("notes.json"), "{\"something\": \"else\"}");   // not a result file: skipped
        heads().write(runs.resolve("pos-en-cross/heads.json"));   // no info.task: it takes the task of the results beside it
        multiHeads().write(runs.resolve("pos-de+en-multi/heads.json"));   // a second tagger of the same task ranks the same languages
        assertEquals(0, Main.run("report", "--runs", runs.toString(), "--to", out.toString(), "--resamples", "500"));
        html = Jsoup.parse(Files.readString(out.resolve("report.html")));
    }

    /** Predictions: each word wrong with a probability that depends on the language, the order and k (and noise). */
    static void trial(String setting, List<String> sources, String order, int k) { trial(setting, sources, order, k, "train+eval"); }

    /** {@code masking} train-only files its predictions under setting "cross-only" here. */
    static void trial(String setting, List<String> sources, String order, int k, String masking) { trial(setting, sources, order, k, masking, 42); }

    /** A seed other than 42 files its predictions under setting "cross-s43" (for seed 43) here. */
    static void trial(String setting, List<String> sources, String order, int k, String masking, long seed) {
        trial(runs, setting, sources, order, k, masking, seed);
    }

    /** ... under the runs folder {@code root}. */
    static void trial(Path root, String setting, List<String> sources, String order, int k, String masking, long seed) {
        String as = (masking.equals("train-only") ? setting + "-only" : setting) + (seed == 42 ? "" : "-s" + seed);
        Map<String, Map<String, RunResult.Split>> results = new LinkedHashMap<>();
        for (String lang : List.of("en", "de", "zh"))
            for (String split : splitsOf(lang)) {
                String key = as + "/" + order + "/" + k + "/" + lang + "/" + split;
                Random rnd = new Random(key.hashCode());
                double p = (lang.equals("en") ? 0.1 : 0.3) + (setting.equals("multi") ? -0.05 : 0)
                        + (order.equals("highest") ? 0.02 * k : order.equals("lowest") ? -0.01 * k : 0);
                List<List<String>> pred = new ArrayList<>();
                for (List<String> g : GOLD.get(lang + "/" + split))
                    pred.add(g.stream().map(t -> rnd.nextDouble() < p ? TAGS[rnd.nextInt(TAGS.length)] : t).toList());
                PRED.put(key, pred);
                results.computeIfAbsent(lang, x -> new LinkedHashMap<>()).put(split, RunResult.Split.score("pos", GOLD.get(lang + "/" + split), pred));
            }
        List<String> heads = new ArrayList<>();
        for (int i = 0; i < k; i++) heads.add("0:" + i);
        RunResult r = new RunResult("synthetic-mbert", "pos", sources, setting, order, k, heads, masking, seed,
                new RunResult.Run(2000, 2, 5e-5, 16, 128, 100 + k, 3L << 30), results);
        r.write(root.resolve("pos-" + String.join("+", sources) + "-" + as).resolve(order + "-k" + k + ".json"));
    }

    static final double[][] EN_RAW = {{0.9, 0.1, 0.5, 0.3}, {0.2, 0.8, 0.4, 0.6}};
    static final double[][] DE_RAW = {{0.7, 0.2, 0.1, 0.5}, {0.3, 0.9, 0.6, 0.4}};
    static final double[][] KV_RAW = {{0.2, 0.4, 0.1, 0.3}, {0.5, 0.1, 0.35, 0.6}};   // the released code's table, en only

    static ImportanceReport heads() {
        Map<String, ImportanceReport.Language> l = new LinkedHashMap<>();
        l.put("en", new ImportanceReport.Language(HeadScores.fromRaw("en", EN_RAW, 100), null, null, HeadScores.fromRawL1("en", KV_RAW, 100), 10, 0.6));
        l.put("de", new ImportanceReport.Language(HeadScores.fromRaw("de", DE_RAW, 100), null, null, 10, 0.5));
        return new ImportanceReport(2, 4, "gradient", l, List.of("en"), null);
    }

    static final double[][] EN2_RAW = {{0.4, 0.3, 0.8, 0.2}, {0.1, 0.7, 0.5, 0.9}};

    static final double[][] DE_SRC_RAW = {{0.6, 0.1, 0.3, 0.2}, {0.5, 0.8, 0.7, 0.4}};

    /**
     * The multi-lingual tagger's file: en ranked otherwise, de (its target dev) exactly as the cross-lingual file, pruning
     * by de's source-dev part, as a sweep writes it when a source language's target dev set is other sentences.
     */
    static ImportanceReport multiHeads() {
        Map<String, ImportanceReport.Language> l = new LinkedHashMap<>();
        l.put("de-source-dev", new ImportanceReport.Language(HeadScores.fromRaw("de-source-dev", DE_SRC_RAW, 40), null, null, 5, 0.2));
        l.put("de", new ImportanceReport.Language(HeadScores.fromRaw("de", DE_RAW, 100), null, null, 20, 0.8));
        l.put("en", new ImportanceReport.Language(HeadScores.fromRaw("en", EN2_RAW, 100), null, null, 30, null));
        return new ImportanceReport(2, 4, "gradient", l, List.of("de-source-dev"), null);
    }

    static double acc(String setting, String order, int k, String lang, String split) {
        return TokenAccuracy.evaluate(GOLD.get(lang + "/" + split), PRED.get(setting + "/" + order + "/" + k + "/" + lang + "/" + split)).accuracy();
    }

    static SentenceStats stats(String setting, String order, int k, String lang, String split) {
        return SentenceStats.accuracy(GOLD.get(lang + "/" + split), PRED.get(setting + "/" + order + "/" + k + "/" + lang + "/" + split));
    }

    /** "+4.72 [-2.53, +12.35]": a difference in points and its interval (a fraction, shown ×100). */
    static String withCi(double points, PairedBootstrap.Interval ci) {
        return signed(points) + " [" + signed(100 * ci.lower()) + ", " + signed(100 * ci.upper()) + "]";
    }

    static String pct(double v) { return String.format(Locale.ROOT, "%.2f", 100 * v); }

    static String signed(double v) { return String.format(Locale.ROOT, "%+.2f", v); }

    /** {lower, upper} of a cell "+0.23 [-0.10, +0.55]". */
    static double[] interval(String cell) {
        return Arrays.stream(cell.substring(cell.indexOf('[') + 1, cell.indexOf(']')).split(", ")).mapToDouble(Double::parseDouble).toArray();
    }

    /** Cells of the row whose first cell is {@code first}, by header. */
    static Map<String, String> row(Element table, String first) {
        return row(table, first, null);
    }

    /** ... whose second cell is {@code second} too (null: any). */
    static Map<String, String> row(Element table, String first, String second) {
        List<String> header = table.select("thead th").stream().map(Element::text).toList();   // eachText() drops empty cells
        for (Element tr : table.select("tbody tr")) {
            List<String> cells = tr.select("td").stream().map(Element::text).toList();
            if (cells.get(0).equals(first) && (second == null || cells.get(1).equals(second))) {
                Map<String, String> m = new LinkedHashMap<>();
                for (int i = 0; i < header.size(); i++) m.putIfAbsent(header.get(i), cells.get(i));
                m.put("_cells", String.join("|", cells));
                return m;
            }
        }
        throw new AssertionError("no row '" + first + "' in table " + table.id());
    }

    /** A table's body rows, each as its cells' text. */
    static List<List<String>> cells(Element table) {
        return table.select("tbody tr").stream().map(tr -> tr.select("td").stream().map(Element::text).toList()).toList();
    }

    static Element table(String idPrefix) {
        Element t = html.selectFirst("table[id^=" + idPrefix + "]");
        assertNotNull(t, "no table " + idPrefix);
        return t;
    }

    /** The best k in ks on a split (ties: smaller k). */
    static int best(String setting, String lang, String split, int... ks) {
        return bestOf(setting, "lowest", lang, split, ks);
    }

    @Test
    void paperLayoutTableHasOurAccuraciesAndSelections() {
        Element t = table("paper-pos-accuracy");
        Map<String, String> de = row(t, "EN→DE");
        assertEquals("test", de.get("split"));
        assertEquals(pct(acc("cross", "none", 0, "de", "test")), de.get("Unp Cr"));
        int k = best("cross", "de", "test", 1, 2, 3);
        assertEquals(String.valueOf(k), de.get("_cells").split("\\|")[4]);
        assertEquals(pct(acc("cross", "lowest", k, "de", "test")), de.get("Pr Cr"));
        String delta = de.get("Δ Cr [95% CI]");
        double d = 100 * (acc("cross", "lowest", k, "de", "test") - acc("cross", "none", 0, "de", "test"));
        assertTrue(delta.startsWith(signed(d) + " ["), delta);
        double[] ci = interval(delta);
        assertTrue(ci[0] <= d + 0.005 && d - 0.005 <= ci[1] && ci[1] - ci[0] > 0.1, delta);
        // multi-lingual: the de+en model's numbers beside
        assertEquals(pct(acc("multi", "none", 0, "de", "test")), de.get("Unp Mul"));
        int km = best("multi", "de", "test", 1, 2);
        assertEquals(pct(acc("multi", "lowest", km, "de", "test")), de.get("Pr Mul"));
        // zh has no test split: reported on dev
        Map<String, String> zh = row(t, "EN→ZH");
        assertEquals("dev", zh.get("split"));
        assertEquals(pct(acc("cross", "none", 0, "zh", "dev")), zh.get("Unp Cr"));
        assertEquals(pct(acc("cross", "lowest", best("cross", "zh", "dev", 1, 2, 3), "zh", "dev")), zh.get("Pr Cr"));
    }

    /** The second seed's k = 0 run is a seed control beside the seed-42 experiment, not an experiment of its own. */
    @Test
    void seedControlSitsBesideItsExperiment() {
        Element t = table("seed-pos-en-cross-synthetic-mbert-seed-42-43-accuracy");
        for (String lang : List.of("en", "de", "zh")) {
            String split = lang.equals("zh") ? "dev" : "test";
            Map<String, String> r = row(t, "EN→" + lang.toUpperCase(Locale.ROOT));
            double a = acc("cross", "none", 0, lang, split), b = acc("cross-s43", "none", 0, lang, split);
            assertEquals(split, r.get("split"));
            assertEquals(pct(a), r.get("Unp seed 42"));
            assertEquals(pct(b), r.get("Unp seed 43"));
            String d = r.get("Δ seed [95% CI]");
            assertTrue(d.startsWith(signed(100 * (b - a)) + " ["), d);
            double[] ci = interval(d);
            assertTrue(ci[0] <= 100 * (b - a) + 0.005 && 100 * (b - a) - 0.005 <= ci[1], d);
            if (lang.equals("zh")) assertEquals("—", r.get("pruning Δ, honest rule [95% CI]"));   // dev only: no honest selection
            else {
                int k = best("cross", lang, "dev", 1, 2, 3);
                double pr = acc("cross", "lowest", k, lang, "test") - a;
                assertEquals(String.valueOf(k), r.get("k (dev)"));
                assertTrue(r.get("pruning Δ, honest rule [95% CI]").startsWith(signed(100 * pr) + " ["));
                assertEquals(Math.abs(pr) > Math.abs(b - a) ? "yes" : "no", r.get("|pruning Δ| > |Δ seed|"));
            }
        }
        // not an experiment: no Tables 2–4 for seed 43, nothing of it reported missing, one summary line for it
        assertTrue(html.select("table[id$=-43]").isEmpty(), "seed 43 has tables of its own");
        assertFalse(html.select("#missing").text().contains("seed 43"));
        double de = Math.abs(acc("cross-s43", "none", 0, "de", "test") - acc("cross", "none", 0, "de", "test"));
        double zh = Math.abs(acc("cross-s43", "none", 0, "zh", "dev") - acc("cross", "none", 0, "zh", "dev"));
        assertTrue(html.text().contains("vs seed 43, accuracy (targets ≠ source): mean |Δ seed| " + pct((de + zh) / 2) + " points"), "summary line");
    }

    /**
     * The seed control averaged as the curve is: seed 43's k = 0 − seed 42's over de (test) and zh (dev), recomputed from
     * the predictions, its interval counts from the seed table's cells.
     */
    @Test
    void seedMeanTableAveragesTheTwoUnprunedRuns() {
        double sum = 0;
        int improved = 0, up = 0, down = 0;
        List<PairedBootstrap.Pair> sets = new ArrayList<>();
        for (String lang : List.of("de", "zh")) {
            String split = lang.equals("zh") ? "dev" : "test";
            double d = acc("cross-s43", "none", 0, lang, split) - acc("cross", "none", 0, lang, split);
            sets.add(new PairedBootstrap.Pair(stats("cross-s43", "none", 0, lang, split), stats("cross", "none", 0, lang, split)));
            sum += d;
            if (d > 0) improved++;
            double[] ci = interval(row(table("seed-pos-en-cross-synthetic-mbert-seed-42-43-accuracy"), "EN→" + lang.toUpperCase(Locale.ROOT)).get("Δ seed [95% CI]"));
            if (ci[0] > 0) up++;
            if (ci[1] < 0) down++;
        }
        List<String> got = cells(table("seed-means")).stream()
                .filter(r -> r.get(1).equals("accuracy")).findFirst().orElseThrow();
        // the mean's interval: each target's sentences resampled on their own (de from the seed, zh from the seed + 1)
        PairedBootstrap.Interval ci = PairedBootstrap.meanDifference(sets, 500, PairedBootstrap.DEFAULT_SEED);
        assertEquals(sum / 2, ci.estimate(), 1e-12);
        assertEquals(List.of("pos en cross · synthetic-mbert · seed 42", "accuracy", "seed 43 − seed 42", "2",
                withCi(100 * sum / 2, ci),
                improved + " of 2", up + " of 2", down + " of 2"), got);
    }

    /**
     * The averaged k-curves: one figure per experiment and seed replicate with trials, and the grey band in the two figures
     * of the experiment that has a seed control: ± t·σ̂ from the trial repeated with seed 43 (t with 1 degree of freedom:
     * tan(0.475π)), recomputed from the predictions.
     */
    @Test
    void meanCurveFiguresCarryTheSeedBand() {
        double dd = meanWithSeed("cross", "lowest", 2, 0, 0)[0] - meanWithSeed("cross-s43", "lowest", 2, 0, 0)[0];
        String band = String.format(Locale.ROOT, "±%.2f: t·σ̂, the seed's 95%% spread of a mean Δ (1 trial(s) run with seeds 42 and 43)",
                100 * Math.tan(0.475 * Math.PI) * Math.abs(dd) / Math.sqrt(2));
        Map<String, Boolean> banded = new LinkedHashMap<>();
        for (Element f : html.select("#means figure"))
            banded.put(f.selectFirst("figcaption").text(), f.select("svg text").eachText().contains(band));
        assertEquals(Map.of("pos en cross · synthetic-mbert · seed 42: mean Δ over the targets", true,
                "pos en cross · synthetic-mbert · seed 43: mean Δ over the targets", true,
                "pos en cross (train-only) · synthetic-mbert · seed 42: mean Δ over the targets", false,
                "pos de+en multi · synthetic-mbert · seed 42: mean Δ over the targets", false), banded);
    }

    /** Without a repeated trial (seed 43's k = 0 alone) the band is ± the two unpruned runs' mean Δ. */
    @Test
    void withoutARepeatedTrialTheBandIsTheUnprunedRunsDifference(@TempDir Path dir) throws Exception {
        Path r = copyOfRuns(dir), o = dir.resolve("out");
        Files.delete(r.resolve("pos-en-cross-s43/lowest-k2.json"));
        assertEquals(0, Main.run("report", "--runs", r.toString(), "--to", o.toString(), "--resamples", "500"));
        double sum = 0;
        for (String lang : List.of("de", "zh")) {
            String split = lang.equals("zh") ? "dev" : "test";
            sum += acc("cross-s43", "none", 0, lang, split) - acc("cross", "none", 0, lang, split);
        }
        String band = String.format(Locale.ROOT, "±%.2f: |mean Δ| of the k = 0 runs with seeds 42 and 43", Math.abs(100 * sum / 2));
        Document d = Jsoup.parse(Files.readString(o.resolve("report.html")));
        Element f = d.select("#means figure").stream()
                .filter(x -> x.selectFirst("figcaption").text().equals("pos en cross · synthetic-mbert · seed 42: mean Δ over the targets")).findFirst().orElseThrow();
        assertTrue(f.select("svg text").eachText().contains(band), band);
        assertNull(d.selectFirst("table[id^=seed-spread]"), "no trial repeated: no spread");
    }

    /**
     * A trial repeated with the other seed: its difference to k = 0 under each seed (each against its own seed's k = 0),
     * their mean and whether the signs agree, and one summary line with the means over the targets other than the source.
     */
    @Test
    void replicatedTrialSitsBesideItsExperiment() {
        Element t = table("replicate-pos-en-cross-synthetic-mbert-seed-42-43-accuracy");
        assertEquals(3, t.select("tbody tr").size(), "one row per target, only lowest k = 2 was repeated");
        double[] a = new double[3], b = new double[3];
        int i = 0, same = 0;
        for (String lang : List.of("de", "en", "zh")) {
            String split = lang.equals("zh") ? "dev" : "test";
            Map<String, String> r = row(t, "EN→" + lang.toUpperCase(Locale.ROOT));
            a[i] = acc("cross", "lowest", 2, lang, split) - acc("cross", "none", 0, lang, split);
            b[i] = acc("cross-s43", "lowest", 2, lang, split) - acc("cross-s43", "none", 0, lang, split);
            assertEquals(split, r.get("split"));
            assertEquals("lowest k = 2", r.get("trial"));
            assertTrue(r.get("Δ seed 42 [95% CI]").startsWith(signed(100 * a[i]) + " ["), r.toString());
            assertTrue(r.get("Δ seed 43 [95% CI]").startsWith(signed(100 * b[i]) + " ["), r.toString());
            assertEquals(signed(100 * (a[i] + b[i]) / 2), r.get("mean Δ"));
            assertEquals(Math.signum(a[i]) == Math.signum(b[i]) ? "yes" : "no", r.get("same sign"));
            if (!lang.equals("en") && Math.signum(a[i]) == Math.signum(b[i])) same++;
            i++;
        }
        String line = "Replicated with seed 43, pos en cross · synthetic-mbert · seed 42, lowest k = 2, accuracy (targets ≠ source): mean Δ to k = 0 "
                + signed(100 * (a[0] + a[2]) / 2) + " (seed 42), " + signed(100 * (b[0] + b[2]) / 2) + " (seed 43); the same sign on " + same + " of 2 targets";
        assertTrue(html.text().contains(line), line);
        // the seed's spread of one target's Δ beside the intervals' half-width (targets ≠ source: de, zh)
        double rms = 100 * Math.sqrt((Math.pow(a[0] - b[0], 2) + Math.pow(a[2] - b[2], 2)) / 2), half = 0;
        for (String lang : List.of("DE", "ZH"))
            for (String col : List.of("Δ seed 42 [95% CI]", "Δ seed 43 [95% CI]")) {
                String d = row(t, "EN→" + lang).get(col);
                double[] ci = interval(d);
                half += (ci[1] - ci[0]) / 2 / 4;
            }
        Matcher spread = Pattern.compile("lowest k = 2, accuracy .*?moves a target's Δ by ([0-9.]+) points \\(root mean square of Δ seed 42 − "
                + "Δ seed 43\\), against a mean half-width of ([0-9.]+) points of their 95% intervals").matcher(html.text());
        assertTrue(spread.find(), "seed spread sentence");
        assertEquals(rms, Double.parseDouble(spread.group(1)), 0.0051, "root mean square of the two seeds' Δ difference");
        assertEquals(half, Double.parseDouble(spread.group(2)), 0.011, "mean interval half-width (from the rounded cells)");
        // its runs count in the budget table beside the experiment's
        assertEquals("2", row(table("runs-used"), "pos en cross · synthetic-mbert · seed 43").get("runs"));
    }

    /** A partial grid says which k the selection chose among (cross ran k = 1..3, multi k = 1, 2). */
    @Test
    void partialGridIsSaidUnderTheSelectionTables() {
        assertTrue(html.text().contains("k = that k (only k = 1, 2, 3 have run so far: the choice is among those)."), "paper-rule note");
        assertTrue(html.text().contains("Unp/Pr/Δ on test (only k = 1, 2, 3 have run so far: the choice is among those)."), "honest-rule note");
        // the multi model trained on de+en: zh is zero-shot in its column too
        assertTrue(html.text().contains("Mul for ZH: not among the multi-lingual model's training languages"), "zero-shot Mul note");
    }

    @Test
    void maskingVariantsSideBySide() {
        Element t = table("masking-pos-en-cross-synthetic-mbert-accuracy");
        for (Element tr : t.select("tbody tr")) {
            List<String> c = tr.select("td").stream().map(Element::text).toList();
            if (!c.get(0).equals("DE") || !c.get(2).equals("2")) continue;
            double a = acc("cross-only", "lowest", 2, "de", "test"), b = acc("cross", "lowest", 2, "de", "test");
            assertEquals(List.of("DE", "lowest", "2", "test", pct(b), pct(a)), c.subList(0, 6));
            assertTrue(c.get(6).startsWith(signed(100 * (a - b)) + " ["), c.get(6));
            return;
        }
        throw new AssertionError("no DE k=2 row");
    }

    @Test
    void paperNumbersSitBesideOurs() {
        // ma2021.md, Table 2, EN→DE mBERT: Unp Cr 88.86, Unp Mul 94.81, Pr Cr 89.13, Pr Mul 94.94
        Map<String, String> de = row(table("paper-pos-paper-f1"), "EN→DE");
        assertEquals("88.86", de.get("paper Unp Cr"));
        assertEquals("89.13", de.get("paper Pr Cr"));
        assertEquals("+0.27", de.get("paper Δ Cr"));
        assertEquals("94.81", de.get("paper Unp Mul"));
        assertEquals("94.94", de.get("paper Pr Mul"));
        assertEquals("+0.13", de.get("paper Δ Mul"));
        Map<String, String> en = row(table("paper-pos-paper-f1"), "EN→EN");   // no such row in the paper
        assertEquals("—", en.get("paper Unp Cr"));
    }

    @Test
    void honestSelectionChoosesOnDev() {
        Map<String, String> de = row(table("honest-pos-accuracy"), "EN→DE");
        int k = best("cross", "de", "dev", 1, 2, 3);
        assertEquals(String.valueOf(k), de.get("k (dev) Cr"));
        assertEquals(pct(acc("cross", "none", 0, "de", "test")), de.get("Unp test Cr"));
        assertEquals(pct(acc("cross", "lowest", k, "de", "test")), de.get("Pr test Cr"));
        Map<String, String> zh = row(table("honest-pos-accuracy"), "EN→ZH");
        assertEquals("—", zh.get("k (dev) Cr"));
        assertEquals("—", zh.get("Δ Cr [95% CI]"));
    }

    @Test
    void summaryMeansAndCounts() {
        Element t = table("summary-pos");
        Element tr = t.select("tbody tr").stream().filter(r -> r.child(0).text().equals("cross") && r.child(1).text().equals("accuracy"))
                .findFirst().orElseThrow();
        List<String> c = tr.select("td").stream().map(Element::text).toList();
        // pairs with target != source: en→de and en→zh
        assertEquals("2", c.get(2));
        double dde = acc("cross", "lowest", best("cross", "de", "test", 1, 2, 3), "de", "test") - acc("cross", "none", 0, "de", "test");
        double dzh = acc("cross", "lowest", best("cross", "zh", "dev", 1, 2, 3), "zh", "dev") - acc("cross", "none", 0, "zh", "dev");
        assertEquals(signed(100 * (dde + dzh) / 2), c.get(3));
        assertEquals(((dde > 0 ? 1 : 0) + (dzh > 0 ? 1 : 0)) + " of 2", c.get(4));
        double hde = acc("cross", "lowest", best("cross", "de", "dev", 1, 2, 3), "de", "test") - acc("cross", "none", 0, "de", "test");
        // one pair: the mean's stratified interval is that pair's own (set 0 draws from the seed itself)
        PairedBootstrap.Interval hci = PairedBootstrap.difference(stats("cross", "lowest", best("cross", "de", "dev", 1, 2, 3), "de", "test"),
                stats("cross", "none", 0, "de", "test"), 500, PairedBootstrap.DEFAULT_SEED);
        assertEquals(withCi(100 * hde, hci), c.get(6));
        assertEquals((hde > 0 ? 1 : 0) + " of 1", c.get(7));
        // the paper's mean cross-lingual POS gain over all 24 mBERT pairs is +0.91 (ma2021.md); our paper_f1 row shows it
        Element pf = t.select("tbody tr").stream().filter(r -> r.child(0).text().equals("cross") && r.child(1).text().equals("paper_f1"))
                .findFirst().orElseThrow();
        assertEquals("+0.91", pf.child(10).text());
        assertEquals("23 of 24", pf.child(11).text());   // ma2021.md: only AR→JA (44.32 → 44.18) does not improve
        assertEquals("7.52", pf.child(12).text());       // footnote 6, mBERT POS
        assertTrue(html.text().contains("The paper's text states: pruning helps in 88 of 96 pairs"), "stated aggregates");
        assertTrue(t.select("tbody tr").stream().anyMatch(r -> r.child(0).text().equals("cross, SL = TL")), "en→en is its own row");
    }

    /** --expect lists the expected grids' units without a result file, a grid not started included. */
    @Test
    void expectedUnitsWithoutResultsAreListed(@TempDir Path dir) throws Exception {
        List<String> args = new ArrayList<>(List.of("report", "--runs", runs.toString(), "--to", dir.resolve("out").toString(), "--resamples", "100", "--expect"));
        for (String name : List.of("started", "unstarted")) {
            Path yaml = dir.resolve(name + ".yaml");
            Files.writeString(yaml, String.join("\n", "name: " + name, "output: " + dir.resolve(name), "train: [{file: x.tsv}]",
                    "source_dev: [{file: y.tsv}]", "targets:", "  en: {dev: y.tsv}", "k_max: 2", "controls: []", ""));
            args.add(yaml.toString());
        }
        Files.createDirectories(dir.resolve("started/trials"));
        Files.writeString(dir.resolve("started/trials/base-k00.json"), "{}");
        assertEquals(0, Main.run(args.toArray(String[]::new)));
        String missing = Jsoup.parse(Files.readString(dir.resolve("out/report.html"))).select("#missing").text();
        assertTrue(missing.contains("started (" + dir.resolve("started.yaml") + "): 3 of 4 units not run: heads, lowest-k01, lowest-k02"), missing);
        assertTrue(missing.contains("unstarted (" + dir.resolve("unstarted.yaml") + "): none of its 4 units has run"), missing);
    }

    /**
     * A multi-lingual model of a task with no cross-lingual experiment: its own training languages are its "SL = TL"
     * targets, in the summary and in the averaged k-curve alike.
     */
    @Test
    void multiLingualModelAloneSetsItsTrainingLanguagesApart(@TempDir Path dir) throws Exception {
        Document d = perfectRuns(dir, List.of(List.of("de", "zh")));
        assertEquals(Map.of("multi", "1", "multi, SL = TL", "2"), summaryPairs(d));   // en; de and zh
        assertEquals("1", row(d.selectFirst("table[id^=means]"), "pos de+zh multi · synthetic-mbert · seed 42").get("targets"));
    }

    /** A k = 0 and a lowest k = 1 run per source set (one source: cross, more: multi), every target tagged perfectly. */
    private static Document perfectRuns(Path dir, List<List<String>> sourceSets) throws Exception {
        Path r = dir.resolve("runs"), o = dir.resolve("out");
        for (List<String> sources : sourceSets)
            for (int k = 0; k <= 1; k++) {
                Map<String, Map<String, RunResult.Split>> results = new LinkedHashMap<>();
                for (String lang : List.of("en", "de", "zh"))
                    for (String split : splitsOf(lang))
                        results.computeIfAbsent(lang, x -> new LinkedHashMap<>())
                                .put(split, RunResult.Split.score("pos", GOLD.get(lang + "/" + split), GOLD.get(lang + "/" + split)));
                String setting = sources.size() > 1 ? "multi" : "cross";
                new RunResult("synthetic-mbert", "pos", sources, setting, k == 0 ? "none" : "lowest", k, k == 0 ? List.of() : List.of("0:0"),
                        "train+eval", 42, new RunResult.Run(100, 1, 5e-5, 16, 128, 10, 1L << 30), results)
                        .write(r.resolve(String.join("+", sources) + "-" + setting).resolve("k" + k + ".json"));
            }
        assertEquals(0, Main.run("report", "--runs", r.toString(), "--to", o.toString(), "--resamples", "200"));
        return Jsoup.parse(Files.readString(o.resolve("report.html")));
    }

    /** The summary's "pairs" per setting (accuracy rows). */
    private static Map<String, String> summaryPairs(Document d) {
        Map<String, String> pairs = new LinkedHashMap<>();
        for (Element tr : d.select("table[id^=summary-pos] tbody tr"))
            if (tr.child(1).text().equals("accuracy")) pairs.put(tr.child(0).text(), tr.child(2).text());
        return pairs;
    }

    /** Two cross sources and one multi-lingual model over both: the multi model counts once per target in the summary. */
    @Test
    void multiLingualModelCountsOncePerTarget(@TempDir Path dir) throws Exception {
        Document d = perfectRuns(dir, List.of(List.of("en"), List.of("de"), List.of("de", "en")));
        // cross: en→de, en→zh, de→en, de→zh; multi: zh is the one target outside the training languages, de and en are in it
        assertEquals(Map.of("cross", "4", "cross, SL = TL", "2", "multi", "1", "multi, SL = TL", "2"), summaryPairs(d));
        // the averaged k-curve counts the same targets: the multi model's zh alone, each cross model's two others
        Element means = d.selectFirst("table[id^=means]");
        assertNotNull(means);
        assertEquals("1", row(means, "pos de+en multi · synthetic-mbert · seed 42").get("targets"));
        assertEquals("2", row(means, "pos en cross · synthetic-mbert · seed 42").get("targets"));
        // in Tables 2–4 both sources' rows carry the one Mul model's scores, and a note under the table says so
        Element t = d.select("table[id^=paper-pos-accuracy]").first();
        assertNotNull(t);
        Map<String, String> en = row(t, "EN→ZH"), de = row(t, "DE→ZH");
        assertEquals(en.get("Unp Mul"), de.get("Unp Mul"));
        assertTrue(d.text().contains("Mul is one model, trained on the union of the training sets: the rows from DE, EN repeat its scores "
                + "for the same target"), "one Mul model under two sources");
        assertFalse(html.text().contains("Mul is one model"), "one source: no such note");
    }

    @Test
    void curveTablesHaveEveryTrialAndMissingOnesAreListed() {
        Element t = table("curve-pos-en-cross-synthetic-mbert-seed-42-de-accuracy");
        Map<String, String> k4 = row(t, "4");
        assertEquals(pct(acc("cross", "highest", 4, "de", "test")), k4.get("highest test"));
        assertEquals("—", k4.get("lowest test"));
        assertEquals("—", k4.get("lowest − highest [95% CI]"));   // no lowest k = 4
        String lh = row(t, "2").get("lowest − highest [95% CI]");
        double diff = acc("cross", "lowest", 2, "de", "test") - acc("cross", "highest", 2, "de", "test");
        assertTrue(lh.startsWith(signed(100 * diff) + " ["), lh);
        double[] ci = interval(lh);
        assertTrue(ci[0] <= 100 * diff + 0.005 && 100 * diff - 0.005 <= ci[1], lh);
        assertEquals(pct(acc("cross", "lowest", 2, "de", "dev")), row(t, "2").get("lowest dev"));
        List<String> missing = html.select("#missing li").eachText();
        assertTrue(missing.contains("pos en cross · synthetic-mbert · seed 42: lowest k = 4–12 not run"), missing.toString());
        assertTrue(missing.contains("pos en cross · synthetic-mbert · seed 42: highest k = 8, 12 not run"), missing.toString());
        assertTrue(missing.contains("pos en cross · synthetic-mbert · seed 42: random k = 4, 8, 12 not run"), missing.toString());
        assertTrue(missing.contains("pos de+en multi · synthetic-mbert · seed 42: lowest k = 3–12 not run"), missing.toString());
    }

    /** The controls table: lowest k = 2 against highest k = 2 over de (test) and zh (dev); highest k = 4 has no lowest to meet. */
    @Test
    void controlsTableComparesTheOrdersOverTheTargets() {
        Element t = table("controls");
        List<List<String>> rows = cells(t);
        List<List<String>> accuracy = rows.stream().filter(r -> r.get(1).equals("accuracy")).toList();
        assertEquals(1, accuracy.size(), rows.toString());
        List<String> acc = accuracy.get(0);
        assertEquals(List.of("pos en cross · synthetic-mbert · seed 42", "accuracy", "highest", "2", "2"), acc.subList(0, 5));
        assertControlMeans(acc, "cross");
        // the interval counts agree with the per-target cells of the curve tables
        int up = 0, down = 0;
        for (String lang : List.of("de", "zh")) {
            double[] ci = interval(row(table("curve-pos-en-cross-synthetic-mbert-seed-42-" + lang + "-accuracy"), "2").get("lowest − highest [95% CI]"));
            if (ci[0] > 0) up++;
            if (ci[1] < 0) down++;
        }
        assertEquals(up + " of 2", acc.get(9));
        assertEquals(down + " of 2", acc.get(10));
    }

    /** A copy of the shared fixture's result files under {@code dir}/runs, for a test that adds trials of its own. */
    static Path copyOfRuns(Path dir) throws IOException {
        Path r = dir.resolve("runs");
        try (var files = Files.walk(runs)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.createDirectories(r.resolve(runs.relativize(f)).getParent());
                Files.copy(f, r.resolve(runs.relativize(f)));
            }
        }
        return r;
    }

    /** The best k among ks for an order on a split (ties: the smaller k). */
    static int bestOf(String setting, String order, String lang, String split, int... ks) {
        int b = ks[0];
        for (int k : ks) if (acc(setting, order, k, lang, split) > acc(setting, order, b, lang, split)) b = k;
        return b;
    }

    /**
     * With highest and random trials at k = 2 and 3 added, both selection rules choose among k = 2, 3 for each order: the
     * paper's rule over de (test) and zh (dev), the honest rule over de (dev → test), and lowest − order between the two
     * honest choices, all recomputed from the predictions.
     */
    @Test
    void selectionRulesAppliedToEveryOrderOverTheSameK(@TempDir Path dir) throws Exception {
        Path r = copyOfRuns(dir), o = dir.resolve("out");
        trial(r, "cross", List.of("en"), "highest", 3, "train+eval", 42);
        trial(r, "cross", List.of("en"), "random", 2, "train+eval", 42);
        trial(r, "cross", List.of("en"), "random", 3, "train+eval", 42);
        assertEquals(0, Main.run("report", "--runs", r.toString(), "--to", o.toString(), "--resamples", "500"));
        Element t = Jsoup.parse(Files.readString(o.resolve("report.html"))).selectFirst("table[id^=selection-controls]");
        assertNotNull(t);
        List<List<String>> acc = cells(t).stream().filter(row -> row.get(1).equals("accuracy")).toList();
        assertEquals(3, acc.size(), "one row per order, the seed-43 and train-only experiments have no control: " + acc);
        int honestLowest = bestOf("cross", "lowest", "de", "dev", 2, 3);
        for (int i = 0; i < 3; i++) {
            String order = List.of("lowest", "highest", "random").get(i);
            List<String> row = acc.get(i);
            assertEquals(List.of("pos en cross · synthetic-mbert · seed 42", "accuracy", "2, 3", order, "2"), row.subList(0, 5));
            double sum = 0, kSum = 0;
            int improved = 0;
            for (String lang : List.of("de", "zh")) {
                String split = lang.equals("zh") ? "dev" : "test";
                int k = bestOf("cross", order, lang, split, 2, 3);
                double d = acc("cross", order, k, lang, split) - acc("cross", "none", 0, lang, split);
                sum += d;
                kSum += k;
                if (d > 0) improved++;
            }
            assertEquals(signed(100 * sum / 2), row.get(5), row.toString());
            assertEquals(improved + " of 2", row.get(6), row.toString());
            assertEquals(String.format(Locale.ROOT, "%.2f", kSum / 2), row.get(7), row.toString());
            int k = bestOf("cross", order, "de", "dev", 2, 3);
            double h = acc("cross", order, k, "de", "test") - acc("cross", "none", 0, "de", "test");
            assertEquals("1", row.get(8));
            assertEquals(withCi(100 * h, PairedBootstrap.meanDifference(List.of(new PairedBootstrap.Pair(stats("cross", order, k, "de", "test"),
                    stats("cross", "none", 0, "de", "test"))), 500, PairedBootstrap.DEFAULT_SEED)), row.get(9), row.toString());
            assertEquals((h > 0 ? 1 : 0) + " of 1", row.get(10));
            if (order.equals("lowest")) { assertEquals("—", row.get(11)); continue; }
            double beyond = acc("cross", "lowest", honestLowest, "de", "test") - acc("cross", order, k, "de", "test");
            assertEquals(withCi(100 * beyond, PairedBootstrap.meanDifference(List.of(new PairedBootstrap.Pair(stats("cross", "lowest", honestLowest, "de", "test"),
                    stats("cross", order, k, "de", "test"))), 500, PairedBootstrap.DEFAULT_SEED)), row.get(11), row.toString());
        }
        assertNull(html.selectFirst("table[id^=selection-controls]"), "the shared fixture has highest at k = 2 only beside lowest: no table");
    }

    /**
     * The averaged k-curve: every trial's mean Δ over the targets ≠ source (de test, zh dev; for the multi-lingual model
     * too, whose training set holds de: the summary's Mul rows), recomputed from the predictions; interval counts as in the curve tables; the seed replicate after its
     * experiment, against its own k = 0; the train-only trials against the train+eval k = 0.
     */
    @Test
    void meanCurveTableAveragesTheTargets() {
        List<List<String>> acc = cells(table("means")).stream()
                .filter(r -> r.get(1).equals("accuracy")).toList();
        List<String> expected = new ArrayList<>();
        for (String[] e : List.of(new String[]{"cross", "lowest", "1"}, new String[]{"cross", "lowest", "2"}, new String[]{"cross", "lowest", "3"},
                new String[]{"cross", "highest", "2"}, new String[]{"cross", "highest", "4"}, new String[]{"cross-s43", "lowest", "2"},
                new String[]{"cross-only", "lowest", "1"}, new String[]{"cross-only", "lowest", "2"}, new String[]{"multi", "lowest", "1"}, new String[]{"multi", "lowest", "2"})) {
            String setting = e[0], order = e[1];
            int k = Integer.parseInt(e[2]);
            List<String> langs = List.of("de", "zh");   // multi (trained on de and en): every target but en, the cross source
            double sum = 0;
            int improved = 0, up = 0, down = 0;
            List<PairedBootstrap.Pair> sets = new ArrayList<>();
            for (String lang : langs) {
                String split = lang.equals("zh") ? "dev" : "test";
                // train-only has no k = 0 of its own: its trials are measured against the train+eval k = 0
                double d = acc(setting, order, k, lang, split) - acc(setting.replace("-only", ""), "none", 0, lang, split);
                sets.add(new PairedBootstrap.Pair(stats(setting, order, k, lang, split), stats(setting.replace("-only", ""), "none", 0, lang, split)));
                sum += d;
                if (d > 0) improved++;
                if (setting.equals("cross")) {   // the interval counts, from the curve tables' cells
                    double[] ci = interval(row(table("curve-pos-en-cross-synthetic-mbert-seed-42-" + lang + "-accuracy"), e[2]).get("Δ " + order + " [95% CI]"));
                    if (ci[0] > 0) up++;
                    if (ci[1] < 0) down++;
                }
            }
            String label = switch (setting) {
                case "multi" -> "pos de+en multi · synthetic-mbert · seed 42";
                case "cross-only" -> "pos en cross (train-only) · synthetic-mbert · seed 42";
                default -> "pos en cross · synthetic-mbert · seed " + (setting.equals("cross") ? 42 : 43);
            };
            expected.add(String.join("|", label, "accuracy", order, e[2], String.valueOf(langs.size()),
                    withCi(100 * sum / langs.size(), PairedBootstrap.meanDifference(sets, 500, PairedBootstrap.DEFAULT_SEED)),
                    improved + " of " + langs.size()) + (setting.equals("cross") ? "|" + up + " of 2|" + down + " of 2" : ""));
        }
        List<String> got = acc.stream().map(r -> String.join("|", r.get(0).startsWith("pos en cross · synthetic-mbert · seed 42")
                ? r.subList(0, 9) : r.subList(0, 7))).toList();
        assertEquals(expected, got);
        // the column with the seed: only the experiment whose trial was repeated with seed 43, and that replicate
        for (List<String> r : acc)
            assertEquals(r.get(0).startsWith("pos en cross · synthetic-mbert"), !r.get(9).equals("—"), r.toString());
    }

    /** The mean Δ over de (test) and zh (dev) of a trial, its stratified sentence interval, and its interval with the seed. */
    static double[] meanWithSeed(String setting, String order, int k, double sigma, double t) {
        return differenceWithSeed(setting, order, k, "none", 0, sigma, t);
    }

    /** The same for run (order a, k a) − run (order b, k b) of one setting: {mean, lower, upper}, fractions. */
    static double[] differenceWithSeed(String setting, String a, int ka, String b, int kb, double sigma, double t) {
        double sum = 0;
        List<PairedBootstrap.Pair> sets = new ArrayList<>();
        for (String lang : List.of("de", "zh")) {
            String split = lang.equals("zh") ? "dev" : "test";
            sum += acc(setting, a, ka, lang, split) - acc(setting, b, kb, lang, split);
            sets.add(new PairedBootstrap.Pair(stats(setting, a, ka, lang, split), stats(setting, b, kb, lang, split)));
        }
        PairedBootstrap.Interval ci = PairedBootstrap.meanDifference(sets, 500, PairedBootstrap.DEFAULT_SEED);
        double se = (ci.upper() - ci.lower()) / (2 * 1.959963984540054), half = t * Math.sqrt(sigma * sigma + se * se);
        return new double[]{sum / 2, sum / 2 - half, sum / 2 + half};
    }

    static void assertWithSeed(double[] expected, String cell) {
        assertTrue(cell.startsWith(signed(100 * expected[0]) + " ["), cell);
        double[] got = interval(cell);
        assertEquals(100 * expected[1], got[0], 0.0051, cell);
        assertEquals(100 * expected[2], got[1], 0.0051, cell);
    }

    /**
     * Two trials (lowest k = 1, 2) run under seeds 42 and 43: the seed's spread of a mean Δ, recomputed from the
     * predictions, against the closed forms of χ² and t with 2 degrees of freedom; the intervals with the seed in the
     * means and controls tables, and the counts of those that exclude zero.
     */
    @Test
    void seedSpreadFromTheTrialsRunUnderBothSeeds(@TempDir Path dir) throws Exception {
        Path r = copyOfRuns(dir), o = dir.resolve("out");
        trial(r, "cross", List.of("en"), "lowest", 1, "train+eval", 43);
        assertEquals(0, Main.run("report", "--runs", r.toString(), "--to", o.toString(), "--resamples", "500"));
        Document d = Jsoup.parse(Files.readString(o.resolve("report.html")));
        double t = 0.95 / Math.sqrt(2 * 0.975 * 0.025), ss = 0;
        double[] diffs = new double[2];
        for (int k = 1; k <= 2; k++) {
            diffs[k - 1] = meanWithSeed("cross", "lowest", k, 0, t)[0] - meanWithSeed("cross-s43", "lowest", k, 0, t)[0];
            ss += diffs[k - 1] * diffs[k - 1];
        }
        double sigma = Math.sqrt(ss / 4);
        Map<String, String> row = row(d.selectFirst("table[id^=seed-spread]"), "pos en cross · synthetic-mbert · seed 42", "accuracy");
        assertEquals("seed 42 − seed 43", row.get("d"));
        assertEquals("lowest k = 1; lowest k = 2", row.get("trials run under both seeds"));
        assertEquals("2", row.get("n"));
        assertEquals(String.format(Locale.ROOT, "%.2f", 100 * Math.sqrt(ss / 2)), row.get("RMS of d"));
        assertEquals(String.format(Locale.ROOT, "%.2f [%.2f, %.2f]", 100 * sigma, 100 * sigma * Math.sqrt(2 / (-2 * Math.log(0.025))),
                100 * sigma * Math.sqrt(2 / (-2 * Math.log(0.975)))), row.get("σ̂ [95% CI]"));
        assertEquals(String.format(Locale.ROOT, "±%.2f", 100 * t * sigma), row.get("t·σ̂"));
        // every trial of both seeds, each against its own seed's k = 0
        int up = 0, down = 0, all = 0;
        List<List<String>> means = cells(d.selectFirst("table[id^=means]")).stream().filter(x -> x.get(1).equals("accuracy")).toList();
        for (String[] e : List.of(new String[]{"cross", "lowest", "1"}, new String[]{"cross", "lowest", "2"}, new String[]{"cross", "lowest", "3"},
                new String[]{"cross", "highest", "2"}, new String[]{"cross", "highest", "4"}, new String[]{"cross-s43", "lowest", "1"},
                new String[]{"cross-s43", "lowest", "2"})) {
            double[] w = meanWithSeed(e[0], e[1], Integer.parseInt(e[2]), sigma, t);
            String label = "pos en cross · synthetic-mbert · seed " + (e[0].equals("cross") ? 42 : 43);
            List<String> m = means.stream().filter(x -> x.get(0).equals(label) && x.get(2).equals(e[1]) && x.get(3).equals(e[2])).findFirst().orElseThrow();
            assertWithSeed(w, m.get(9));
            all++;
            if (w[1] > 0) up++;
            if (w[2] < 0) down++;
        }
        assertEquals(up + " of " + all, row.get("CI with seed > 0"));
        assertEquals(down + " of " + all, row.get("CI with seed < 0"));
        // lowest − highest at k = 2 carries the same spread
        List<String> control = cells(d.selectFirst("table[id^=controls]")).stream().filter(x -> x.get(1).equals("accuracy")).findFirst().orElseThrow();
        assertWithSeed(differenceWithSeed("cross", "lowest", 2, "highest", 2, sigma, t), control.get(11));
        assertTrue(d.text().contains(String.format(Locale.ROOT, "from the 2 trial(s) run under seeds 42 and 43, one run's mean Δ over the "
                + "targets moves with the seed by σ̂ = %.2f points", 100 * sigma)), "summary line");
    }

    /** The shared fixture repeats one trial (lowest k = 2): t has 1 degree of freedom, tan(0.475π). */
    @Test
    void oneRepeatedTrialGivesTheCauchyHalfWidth() {
        double dd = meanWithSeed("cross", "lowest", 2, 0, 0)[0] - meanWithSeed("cross-s43", "lowest", 2, 0, 0)[0];
        assertEquals(String.format(Locale.ROOT, "±%.2f", 100 * Math.tan(0.475 * Math.PI) * Math.abs(dd) / Math.sqrt(2)),
                row(table("seed-spread"), "pos en cross · synthetic-mbert · seed 42", "accuracy").get("t·σ̂"));
    }

    /** Cells 5–8 of a controls row (lowest k = 2 against highest k = 2 over de test and zh dev), recomputed from the predictions. */
    static void assertControlMeans(List<String> row, String setting) {
        double[] low = new double[2], high = new double[2];
        int i = 0, better = 0;
        List<PairedBootstrap.Pair> sets = new ArrayList<>();
        for (String lang : List.of("de", "zh")) {
            String split = lang.equals("zh") ? "dev" : "test";
            sets.add(new PairedBootstrap.Pair(stats(setting, "lowest", 2, lang, split), stats(setting, "highest", 2, lang, split)));
            low[i] = acc(setting, "lowest", 2, lang, split) - acc(setting, "none", 0, lang, split);
            high[i] = acc(setting, "highest", 2, lang, split) - acc(setting, "none", 0, lang, split);
            if (low[i] > high[i]) better++;
            i++;
        }
        assertEquals(signed(100 * (low[0] + low[1]) / 2), row.get(5), row.toString());
        assertEquals(signed(100 * (high[0] + high[1]) / 2), row.get(6), row.toString());
        assertEquals(withCi(100 * (low[0] - high[0] + low[1] - high[1]) / 2, PairedBootstrap.meanDifference(sets, 500, PairedBootstrap.DEFAULT_SEED)),
                row.get(7), row.toString());
        assertEquals(better + " of 2", row.get(8), row.toString());
    }

    /**
     * A control repeated with the second seed gets its own rows, right after its experiment's, each against its own seed's
     * k = 0; the seed-42 rows do not change.
     */
    @Test
    void controlsTableHasTheSeedReplicateRowsAfterTheirExperiment(@TempDir Path dir) throws Exception {
        Path r = copyOfRuns(dir), o = dir.resolve("out");
        trial(r, "cross", List.of("en"), "highest", 2, "train+eval", 43);
        assertEquals(0, Main.run("report", "--runs", r.toString(), "--to", o.toString(), "--resamples", "500"));
        Element t = Jsoup.parse(Files.readString(o.resolve("report.html"))).selectFirst("table[id^=controls]");
        assertNotNull(t);
        List<List<String>> acc = cells(t).stream()
                .filter(row -> row.get(1).equals("accuracy")).toList();
        assertEquals(2, acc.size(), acc.toString());
        assertEquals(List.of("pos en cross · synthetic-mbert · seed 42", "accuracy", "highest", "2", "2"), acc.get(0).subList(0, 5));
        assertEquals(List.of("pos en cross · synthetic-mbert · seed 43", "accuracy", "highest", "2", "2"), acc.get(1).subList(0, 5));
        assertControlMeans(acc.get(0), "cross");
        assertControlMeans(acc.get(1), "cross-s43");
        List<List<String>> before = cells(table("controls")).stream()
                .filter(row -> row.get(1).equals("accuracy")).toList();
        // the seed-42 row is unchanged but for its interval with the seed, which the repeated control widens to n = 2
        assertEquals(before.get(0).subList(0, 11), acc.get(0).subList(0, 11), "the seed-42 row changed");
    }

    @Test
    void spearmanAgainstAnIndependentRankCorrelation() {
        double[] en = gate(EN_RAW);
        double rho = textbookRho(en, gate(DE_RAW));
        assertEquals(String.format(Locale.ROOT, "%.3f", rho), row(table("spearman-pos-en-cross-heads"), "en").get("de"));
        // split-half 0.6 and 0.5 -> Spearman–Brown 2ρ/(1+ρ) = 0.75 and 2/3; the ceiling is their geometric mean
        Map<String, String> rel = row(table("reliability-pos-en-cross-heads"), "de");
        assertEquals("0.500", rel.get("split-half ρ"));
        assertEquals("0.667", rel.get("reliability (Spearman–Brown)"));
        assertEquals(String.format(Locale.ROOT, "%.3f", Math.sqrt(0.75 * 2 / 3)), rel.get("ceiling √(rel · rel en)"));
        assertEquals(String.format(Locale.ROOT, "%.3f", rho / Math.sqrt(0.75 * 2 / 3)), rel.get("ρ / ceiling"));
        assertEquals("0.750", row(table("reliability-pos-en-cross-heads"), "en").get("reliability (Spearman–Brown)"));
        // gate (L2) vs released (L1) ranking of en, by the textbook formula; by hand: the gate's lowest four are
        // 0:1 1:0 0:3 1:2, the released table's (L1 per layer: .2 .4 .1 .3 | .323 .065 .226 .387) 1:1 0:2 0:0 1:2
        Map<String, String> mt = row(table("methods-pos-en-cross-heads"), "en");
        assertEquals(String.format(Locale.ROOT, "%.3f", textbookRho(en, flat(HeadScores.normalize(KV_RAW, true)))), mt.get("Spearman ρ"));
        assertEquals("1 / 4", mt.get("shared lowest 4"));
        assertEquals("1:1 0:2 0:0 1:2", mt.get("released code's lowest 4"));
        // between layers, by hand: EN_RAW's rows rank (3 0 2 1) and (0 3 1 2): sum d^2 = 20, rho = 1 - 120/60;
        // KV_RAW's (1 3 0 2) and (2 0 1 3): sum d^2 = 12, rho = 1 - 72/60
        assertEquals("-1.000", mt.get("between layers: gate ρ"));
        assertEquals("-0.200", mt.get("between layers: released ρ"));
        assertEquals(1, table("methods-pos-en-cross-heads").select("tbody tr").size(), "de has no released table");
        Map<String, String> p = row(table("spearman-paper-pos-en-cross-heads"), "EN–DE");
        assertEquals("0.85", p.get("paper"));   // ma2021.md, POS-mBERT, EN row, DE column
        assertEquals(7, html.select("#heads svg").size(), "heatmaps: each file's languages (2 and 3) and its ranking");
        assertEquals(9, html.select("#curves svg").size(), "one k-curve per experiment (cross, cross train-only, multi) and target");
        assertEquals(List.of("show-lowest", "show-highest", "show-random"), html.select("#curves input[type=checkbox]").eachAttr("id"));
        // the controls hide a series by its colour: highest is drawn in rgb(31,119,180) in every curve that has it
        assertTrue(html.select("#curves svg").first().outerHtml().contains("rgb(31,119,180)"));
    }

    @Test
    void theSameLanguageRankedByTwoTaggers() {
        Element t = table("between-taggers-pos");
        Map<String, Map<String, String>> rows = new LinkedHashMap<>();
        List<String> header = t.select("thead th").stream().map(Element::text).toList();
        for (Element tr : t.select("tbody tr")) {
            List<String> cells = tr.select("td").stream().map(Element::text).toList();
            Map<String, String> m = new LinkedHashMap<>();
            for (int i = 0; i < header.size(); i++) m.put(header.get(i), cells.get(i));
            rows.put(cells.get(1), m);
        }
        assertEquals(List.of("pruning ranking (de-source-dev · en)", "de", "en"), List.copyOf(rows.keySet()),
                "the multi file (sorted first) by its languages; de-source-dev is in one file only");
        // de: the same table in both files -> rho 1; split-half 0.5 and 0.8 -> reliabilities 2/3 and 16/18
        double ceil = Math.sqrt(2.0 / 3 * 16 / 18);
        assertEquals("1.000", rows.get("de").get("Spearman ρ"));
        assertEquals(String.format(Locale.ROOT, "%.3f", ceil), rows.get("de").get("ceiling √(rel · rel)"));
        assertEquals(String.format(Locale.ROOT, "%.3f", 1 / ceil), rows.get("de").get("ρ / ceiling"));
        assertEquals("20", rows.get("de").get("sentences (first)"));
        assertEquals("10", rows.get("de").get("sentences (second)"));
        // en: the textbook formula over the two normalised tables (no ties); the multi file has no split-half for en
        assertEquals(String.format(Locale.ROOT, "%.3f", textbookRho(gate(EN_RAW), gate(EN2_RAW))), rows.get("en").get("Spearman ρ"));
        assertEquals("—", rows.get("en").get("ceiling √(rel · rel)"));
        // the pruning rankings: de's source-dev part (multi) against en (cross)
        assertEquals(String.format(Locale.ROOT, "%.3f", textbookRho(gate(DE_SRC_RAW), gate(EN_RAW))),
                rows.get("pruning ranking (de-source-dev · en)").get("Spearman ρ"));
        // the multi file's reliability table sets every ranking against de's target-dev table, not its source-dev part
        Element rel = table("reliability-pos-de-en-multi-heads");
        assertTrue(rel.select("thead th").eachText().contains("ρ with de"), rel.select("thead th").eachText().toString());
        Map<String, String> part = row(rel, "de-source-dev");
        assertEquals(String.format(Locale.ROOT, "%.3f", textbookRho(gate(DE_SRC_RAW), gate(DE_RAW))), part.get("ρ with de"));
        // split-half 0.2 and 0.8 -> Spearman–Brown 1/3 and 16/18
        assertEquals(String.format(Locale.ROOT, "%.3f", Math.sqrt(1.0 / 3 * 16 / 18)), part.get("ceiling √(rel · rel de)"));
        assertEquals("—", row(rel, "de").get("ρ with de"));
    }

    /** A gate-gradient table as the report ranks it: normalised per layer (L2), flattened. */
    static double[] gate(double[][] raw) { return flat(HeadScores.normalize(raw, false)); }

    /** Spearman's ρ by the textbook formula 1 − 6 Σd² / (n(n² − 1)), valid without ties (as in these tables). */
    static double textbookRho(double[] a, double[] b) {
        double[] ra = ranks(a), rb = ranks(b);
        double d2 = 0;
        for (int i = 0; i < ra.length; i++) d2 += (ra[i] - rb[i]) * (ra[i] - rb[i]);
        int n = ra.length;
        return 1 - 6 * d2 / (n * (n * (double) n - 1));
    }

    static double[] flat(double[][] m) { return Arrays.stream(m).flatMapToDouble(Arrays::stream).toArray(); }

    static double[] ranks(double[] x) {
        double[] r = new double[x.length];
        for (int i = 0; i < x.length; i++) for (double v : x) if (v < x[i]) r[i]++;
        return r;
    }

    @Test
    void selfContainedAndDeterministic() throws Exception {
        for (Element e : html.select("[src], [href], [xlink:href]"))
            for (String attr : List.of("src", "href", "xlink:href")) {
                String v = e.attr(attr);
                assertFalse(v.startsWith("http:") || v.startsWith("https:") || v.startsWith("//"), e.outerHtml());
            }
        assertTrue(html.select("script[src], link[rel=stylesheet], img, iframe, object, embed").isEmpty());
        assertFalse(html.select("style").html().contains("url("));
        byte[] md = Files.readAllBytes(out.resolve("report.md")), page = Files.readAllBytes(out.resolve("report.html"));
        Path again = tmp.resolve("again");
        assertEquals(0, Main.run("report", "--runs", runs.toString(), "--to", again.toString(), "--resamples", "500"));
        assertArrayEquals(md, Files.readAllBytes(again.resolve("report.md")));
        assertArrayEquals(page, Files.readAllBytes(again.resolve("report.html")));
        assertEquals(0, Main.run("report", "--runs", runs.toString(), "--to", out.toString(), "--resamples", "500"));
        assertArrayEquals(page, Files.readAllBytes(out.resolve("report.html")));
        try (var s = Files.list(out)) {
            assertEquals(List.of("report.html", "report.md"), s.map(p -> p.getFileName().toString()).sorted().toList(), "no temp files left");
        }
        String text = new String(md, StandardCharsets.UTF_8);
        assertTrue(text.contains("| EN→DE | test | " + pct(acc("cross", "none", 0, "de", "test")) + " |"), "markdown has the same table");
    }

    @Test
    void badResultFileIsNamed() throws Exception {
        Path dir = tmp.resolve("bad");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("r.json"), "{\"format\": \"headlens-result/1\", \"task\": \"postag\"}");
        PrintStream err = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc;
        try {
            System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
            rc = Main.run("report", "--runs", dir.toString(), "--to", tmp.resolve("bad-out").toString());
        } finally {
            System.setErr(err);
        }
        assertEquals(2, rc);
        String msg = buf.toString(StandardCharsets.UTF_8);
        assertTrue(msg.contains(dir.resolve("r.json") + ": field 'task' is '\"postag\"', expected one of [ner, pos, slot]"), msg);
        assertFalse(Files.exists(tmp.resolve("bad-out/report.html")));
    }

    @Test
    void resultFilesRoundTrip() {
        RunResult r = RunResult.read(runs.resolve("pos-en-cross/lowest-k2.json"));
        assertEquals(List.of("0:0", "0:1"), r.heads());
        RunResult.Metric m = r.results().get("de").get("test").metrics().get("accuracy");
        assertEquals(acc("cross", "lowest", 2, "de", "test"), m.value(), 1e-15);
        assertEquals(60, m.stats().sentences());
        assertEquals(3L << 30, r.run().peakRssBytes());
    }
}
