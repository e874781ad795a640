package headlens.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import headlens.core.HeadlensException;
import headlens.heads.Charts;
import headlens.heads.ImportanceReport;
import headlens.heads.Spearman;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A sweep's tables and plots from its trial files: {@code results.csv} (order, k, language, split, score),
 * {@code results.json}, {@code results.md} (language × k per order and split, the k selected on each language's dev, its
 * test score and gain over the unpruned tagger, the Spearman table, the costs), score-vs-k curves and head heatmaps.
 */
public final class SweepReport {
    private SweepReport() {}

    record Row(String order, int k, String lang, String split, double score) {}

    public static void write(SweepConfig cfg, Path out, JsonNode base, ImportanceReport heads) {
        Map<String, JsonNode> trials = new LinkedHashMap<>();
        trials.put("k0", base);
        for (JsonNode t : list(out.resolve("trials"))) if (t.get("k").asInt() > 0) trials.put(t.get("order").asText() + t.get("k").asInt(), t);
        List<Row> rows = new ArrayList<>();
        List<String> langs = new ArrayList<>(cfg.targets().keySet());
        for (String order : cfg.orders())
            for (int k = 0; k <= cfg.kMax(); k++) {
                JsonNode t = k == 0 ? base : trials.get(order + k);
                if (t == null) continue;
                for (String l : langs)
                    for (String split : List.of("dev", "test")) {
                        JsonNode v = t.path("scores").path(l).path(split);
                        if (v.isNumber()) rows.add(new Row(order, k, l, split, v.asDouble()));
                    }
                rows.add(new Row(order, k, "source", "dev", t.get("source_dev").asDouble()));
            }
        List<JsonNode> iterative = list(out.resolve("iterative"));

        // CSV
        StringBuilder csv = new StringBuilder("order,k,language,split,score\n");
        for (Row r : rows) csv.append(String.format(Locale.ROOT, "%s,%d,%s,%s,%.6f%n", r.order, r.k, r.lang, r.split, r.score));
        write(out.resolve("results.csv"), csv.toString());

        // JSON
        ObjectNode j = Sweep.JSON.createObjectNode();
        j.put("name", cfg.name());
        j.put("model", cfg.model());
        j.set("base", base);
        ObjectNode sel = j.putObject("selection");
        for (String order : cfg.orders())
            for (String l : langs) {
                Selection s = select(rows, order, l, cfg.kMax());
                if (s == null) continue;
                ObjectNode n = ((ObjectNode) sel.with(order)).putObject(l);
                n.put("best_k", s.k);
                n.put("dev", s.dev);
                if (!Double.isNaN(s.test)) n.put("test", s.test);
                n.put("dev_gain", s.dev - s.dev0);
                if (!Double.isNaN(s.test)) n.put("test_gain", s.test - s.test0);
            }
        ArrayNode tr = j.putArray("trials");
        trials.values().forEach(tr::add);
        ArrayNode it = j.putArray("iterative");
        iterative.forEach(it::add);
        List<JsonNode> trainOnly = list(out.resolve("trials/train-only"));   // masked at training only: in results/ and headlens report
        if (!trainOnly.isEmpty()) trainOnly.forEach(j.putArray("train_only")::add);
        j.set("spearman", Sweep.JSON.valueToTree(heads.spearman()));
        j.set("costs", costs(base, heads));
        try {
            write(out.resolve("results.json"), Sweep.JSON.writeValueAsString(j));
        } catch (IOException e) {
            throw new HeadlensException(out + ": " + e.getMessage(), e);
        }

        // Markdown
        StringBuilder md = new StringBuilder("# Sweep `" + cfg.name() + "`\n\n");
        md.append("Model `").append(cfg.model()).append("`; ").append(base.path("train_sentences").asInt()).append(" training sentences, ")
                .append(base.path("epochs").asInt()).append(" epoch(s) per trial; score = ")
                .append("accuracy (POS) or entity micro-F1 (NER), ×100. k = heads masked before fine-tuning from the pretrained weights; ")
                .append("`lowest` prunes the least important heads (the paper), `highest` the most important, `random` seeded random heads. ")
                .append("Best k is selected on each language's dev set; gain is over k = 0.\n\n");
        md.append("## Summary\n\n| language | k=0 dev | k=0 test |");
        for (String o : cfg.orders()) md.append(" ").append(o).append(": best k | dev | test | test gain |");
        md.append("\n|---|---:|---:|");
        for (String o : cfg.orders()) md.append("---:|---:|---:|---:|");
        md.append("\n");
        for (String l : langs) {
            Selection s0 = select(rows, "lowest", l, 0);
            if (s0 == null) continue;
            md.append("| ").append(l).append(" | ").append(pct(s0.dev0)).append(" | ").append(pct(s0.test0)).append(" |");
            for (String o : cfg.orders()) {
                Selection s = select(rows, o, l, cfg.kMax());
                md.append(" ").append(s.k).append(" | ").append(pct(s.dev)).append(" | ").append(pct(s.test)).append(" | ")
                        .append(Double.isNaN(s.test) ? "–" : String.format(Locale.ROOT, "%+.2f", 100 * (s.test - s.test0))).append(" |");
            }
            md.append("\n");
        }
        for (String order : cfg.orders())
            for (String split : List.of("dev", "test")) {
                md.append("\n## ").append(order).append(" — ").append(split).append("\n\n| language |");
                for (int k = 0; k <= cfg.kMax(); k++) md.append(" k=").append(k).append(" |");
                md.append("\n|---|");
                for (int k = 0; k <= cfg.kMax(); k++) md.append("---:|");
                md.append("\n");
                List<String> ls = new ArrayList<>(langs);
                if (split.equals("dev")) ls.add("source");
                for (String l : ls) {
                    Selection s = select(rows, order, l, cfg.kMax());
                    md.append("| ").append(l).append(" |");
                    for (int k = 0; k <= cfg.kMax(); k++) {
                        Double v = find(rows, order, k, l, split);
                        String cell = v == null ? "–" : pct(v);
                        if (s != null && s.k == k && v != null && k > 0) cell = "**" + cell + "**";
                        md.append(" ").append(cell).append(" |");
                    }
                    md.append("\n");
                }
            }
        if (!iterative.isEmpty()) {
            md.append("\n## Iterative pruning (Michel et al.; no re-training)\n\n| round | heads masked | fraction | source dev |");
            for (String l : langs) md.append(" ").append(l).append(" dev | ").append(l).append(" test |");
            md.append("\n|---:|---:|---:|---:|");
            for (String l : langs) md.append("---:|---:|");
            md.append("\n| 0 | 0 | 0.00 | ").append(pct(base.get("source_dev").asDouble())).append(" |");
            for (String l : langs) md.append(" ").append(pct(base.path("scores").path(l).path("dev").asDouble(Double.NaN))).append(" | ")
                    .append(pct(base.path("scores").path(l).path("test").asDouble(Double.NaN))).append(" |");
            md.append("\n");
            for (JsonNode r : iterative) {
                md.append(String.format(Locale.ROOT, "| %d | %d | %.2f | %s |", r.get("round").asInt(), r.get("pruned").asInt(),
                        r.get("fraction_pruned").asDouble(), pct(r.get("source_dev").asDouble())));
                for (String l : langs) md.append(" ").append(pct(r.path("scores").path(l).path("dev").asDouble(Double.NaN))).append(" | ")
                        .append(pct(r.path("scores").path(l).path("test").asDouble(Double.NaN))).append(" |");
                md.append("\n");
            }
            md.append("\nStops once source dev falls below ").append(cfg.threshold()).append(" × the unpruned score; ")
                    .append(Math.round(100 * cfg.fraction())).append("% of the heads are masked per round.\n");
        }
        var sp = heads.spearman();
        if (sp.size() > 1) {
            md.append("\n## Spearman's ρ between languages' head rankings (dev)\n\n|  |");
            sp.keySet().forEach(l -> md.append(" ").append(l).append(" |"));
            md.append("\n|---|");
            sp.keySet().forEach(l -> md.append("---:|"));
            md.append("\n");
            sp.forEach((a, row) -> {
                md.append("| ").append(a).append(" |");
                row.values().forEach(v -> md.append(String.format(Locale.ROOT, " %.3f |", v)));
                md.append("\n");
            });
        }
        JsonNode c = costs(base, heads);
        md.append(String.format(Locale.ROOT, "%n## Costs%n%nImportance pass over %d source-dev windows (sentences, split at max_length): %.1f s (%.2f ms/sentence). "
                        + "One training epoch over %d sentences: %.1f s (%.2f ms/sentence, checkpoint writes included). "
                        + "Importance / epoch: %.3f in time; %.2f per sentence.%n",
                c.get("importance_sentences").asInt(), c.get("importance_seconds").asDouble(), 1000 * c.get("importance_s_per_sentence").asDouble(),
                c.get("train_sentences").asInt(), c.get("epoch_seconds").asDouble(), 1000 * c.get("train_s_per_sentence").asDouble(),
                c.get("importance_over_epoch").asDouble(), c.get("per_sentence_ratio").asDouble()));
        md.append("\nFiles: `results.csv`, `results.json`, `curve-dev.png/.svg`, `curve-test.png/.svg`, `heads-*.png/.svg`, `heads.json`")
                .append(iterative.isEmpty() ? "" : ", `iterative.png/.svg`").append(", `trials/*.json`")
                .append(trainOnly.isEmpty() ? "" : ", `trials/train-only/*.json` (heads masked at training only; not in the tables above)")
                .append("; `results/*.json` (headlens-result/1, per-sentence statistics: `headlens report --runs` on this directory).\n");
        write(out.resolve("results.md"), md.toString());

        // plots
        for (String split : List.of("dev", "test")) {
            Map<String, double[][]> series = new LinkedHashMap<>();
            for (String l : langs)
                for (String order : cfg.orders()) {
                    double[][] xy = new double[2][cfg.kMax() + 1];
                    for (int k = 0; k <= cfg.kMax(); k++) {
                        Double v = find(rows, order, k, l, split);
                        xy[0][k] = k;
                        xy[1][k] = v == null ? Double.NaN : 100 * v;
                    }
                    series.put(l + " " + order, xy);
                }
            Charts.save(Charts.lines(cfg.name() + ": " + split + " score vs heads pruned", "k (heads masked)",
                    split + " score", series), out.resolve("curve-" + split), 900, 560);
        }
        if (!iterative.isEmpty()) {
            Map<String, double[][]> series = new LinkedHashMap<>();
            int n = iterative.size() + 1;
            double[][] src = new double[2][n];
            src[1][0] = 100 * base.get("source_dev").asDouble();
            for (int i = 1; i < n; i++) {
                src[0][i] = iterative.get(i - 1).get("fraction_pruned").asDouble();
                src[1][i] = 100 * iterative.get(i - 1).get("source_dev").asDouble();
            }
            series.put("source dev", src);
            for (String l : langs) {
                double[][] xy = new double[2][n];
                xy[1][0] = 100 * base.path("scores").path(l).path("test").asDouble(Double.NaN);
                for (int i = 1; i < n; i++) {
                    xy[0][i] = src[0][i];
                    xy[1][i] = 100 * iterative.get(i - 1).path("scores").path(l).path("test").asDouble(Double.NaN);
                }
                series.put(l + " test", xy);
            }
            Charts.save(Charts.lines(cfg.name() + ": iterative pruning", "fraction of heads masked", "score", series),
                    out.resolve("iterative"), 900, 560);
        }
        for (var e : heads.languages().entrySet())
            Charts.save(Charts.heatmap(e.getValue().ranking(heads.method()), cfg.name() + ": head importance, " + e.getKey() + " dev"),
                    out.resolve("heads-" + e.getKey()), 760, 480);
        if (heads.languages().size() > 1)
            Charts.save(Charts.heatmap(heads.aggregate(), cfg.name() + ": ranking (" + String.join(", ", heads.rankingLanguages()) + ")"),
                    out.resolve("heads-ranking"), 760, 480);
    }

    record Selection(int k, double dev, double test, double dev0, double test0) {}

    /** The k in 0..kMax with the best dev score for a language (ties: smaller k). */
    static Selection select(List<Row> rows, String order, String lang, int kMax) {
        Double d0 = find(rows, order, 0, lang, "dev");
        if (d0 == null) return null;
        Double t0 = find(rows, order, 0, lang, "test");
        int best = 0;
        double bd = d0;
        for (int k = 1; k <= kMax; k++) {
            Double d = find(rows, order, k, lang, "dev");
            if (d != null && d > bd) { bd = d; best = k; }
        }
        Double bt = find(rows, order, best, lang, "test");
        return new Selection(best, bd, bt == null ? Double.NaN : bt, d0, t0 == null ? Double.NaN : t0);
    }

    static Double find(List<Row> rows, String order, int k, String lang, String split) {
        for (Row r : rows) if (r.order.equals(order) && r.k == k && r.lang.equals(lang) && r.split.equals(split)) return r.score;
        return null;
    }

    static JsonNode costs(JsonNode base, ImportanceReport heads) {
        ObjectNode c = Sweep.JSON.createObjectNode();
        double isecs = 0;
        int isents = 0;
        JsonNode info = heads.info() == null ? Sweep.JSON.createObjectNode() : heads.info();
        for (String l : heads.rankingLanguages()) {
            isecs += info.path("seconds").path(l).asDouble(Double.NaN);
            isents += info.path("sentences").path(l).asInt(0);
        }
        double epoch = base.path("train_seconds").asDouble(Double.NaN) / Math.max(1, base.path("epochs").asInt(1));
        int ts = base.path("train_sentences").asInt(0);
        c.put("importance_seconds", isecs);
        c.put("importance_sentences", isents);
        c.put("importance_s_per_sentence", isecs / Math.max(1, isents));
        c.put("epoch_seconds", epoch);
        c.put("train_sentences", ts);
        c.put("train_s_per_sentence", epoch / Math.max(1, ts));
        c.put("importance_over_epoch", isecs / epoch);
        c.put("per_sentence_ratio", (isecs / Math.max(1, isents)) / (epoch / Math.max(1, ts)));
        return c;
    }

    private static String pct(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.2f", 100 * v);
    }

    private static List<JsonNode> list(Path dir) {
        List<JsonNode> r = new ArrayList<>();
        if (!Files.isDirectory(dir)) return r;
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().forEach(p -> r.add(Sweep.readJson(p)));
        } catch (IOException e) {
            throw new HeadlensException(dir + ": " + e.getMessage(), e);
        }
        return r;
    }

    private static void write(Path f, String text) {
        try {
            headlens.core.AtomicFiles.writeBytes(f, text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new HeadlensException(f + ": cannot write: " + e.getMessage(), e);
        }
    }
}
