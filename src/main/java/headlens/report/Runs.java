package headlens.report;

import com.fasterxml.jackson.databind.JsonNode;
import headlens.core.HeadlensException;
import headlens.heads.ImportanceReport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What a report is made from: the result files ({@link RunResult}) and heads files ({@link ImportanceReport}) found under
 * a directory, in a stable order (by relative path), plus optional imports of {@code headlens sweep} output directories
 * (their trial files carry scores but no per-sentence statistics, so their cells get no interval).
 */
public record Runs(Map<String, RunResult> results, List<Heads> heads) {
    private static final long MAX_BYTES = 512L << 20;

    /** A heads file: where it came from, the task it ranks heads for (null when unknown), its tables. */
    public record Heads(String label, String task, ImportanceReport report) {}

    /** Reads every {@code *.json} under {@code dir}; files of other formats are skipped. */
    public static Runs scan(Path dir) {
        if (!Files.isDirectory(dir)) throw new HeadlensException(dir + ": not a directory (--runs wants the directory of result files)");
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".json") && Files.isRegularFile(p))
                    .sorted(Comparator.comparing(p -> dir.relativize(p).toString().replace('\\', '/'))).toList();
        } catch (IOException e) {
            throw new HeadlensException(dir + ": cannot list: " + e.getMessage(), e);
        }
        Map<String, RunResult> results = new LinkedHashMap<>();
        List<Heads> heads = new ArrayList<>();
        for (Path f : files) {
            String rel = dir.relativize(f).toString().replace('\\', '/');
            JsonNode n = RunResult.Reader.tree(f, MAX_BYTES);
            if (RunResult.isResult(n)) results.put(rel, RunResult.parse(n, f));
            else if (ImportanceReport.FORMAT.equals(n.path("format").asText())) {
                ImportanceReport r = ImportanceReport.read(f);
                String task = r.info() == null ? null : r.info().path("task").asText(null);
                if (task != null && !RunResult.TASKS.contains(task))
                    throw new HeadlensException(f + ": info.task is '" + task + "', expected one of pos, ner, slot");
                heads.add(new Heads(rel.substring(0, rel.length() - ".json".length()), task, r));
            }
        }
        return new Runs(results, inferTasks(heads, results));
    }

    /** A heads file without {@code info.task} takes the task of the result files in its directory (and below) when they share one. */
    private static List<Heads> inferTasks(List<Heads> heads, Map<String, RunResult> results) {
        List<Heads> out = new ArrayList<>();
        for (Heads h : heads) {
            if (h.task() != null) { out.add(h); continue; }
            int slash = h.label().lastIndexOf('/');
            String dir = slash < 0 ? "" : h.label().substring(0, slash + 1);
            java.util.Set<String> tasks = new java.util.TreeSet<>();
            results.forEach((rel, r) -> { if (rel.startsWith(dir)) tasks.add(r.task()); });
            out.add(new Heads(h.label(), tasks.size() == 1 ? tasks.iterator().next() : null, h.report()));
        }
        return out;
    }

    /** These runs plus those of another set (e.g. an imported sweep); keys must not clash. */
    public Runs plus(Runs other) {
        Map<String, RunResult> r = new LinkedHashMap<>(results);
        other.results.forEach((k, v) -> { if (r.put(k, v) != null) throw new HeadlensException(k + ": given twice"); });
        List<Heads> h = new ArrayList<>(heads);
        h.addAll(other.heads);
        return new Runs(r, h);
    }

    /**
     * A {@code headlens sweep} output directory ({@code trials/*.json}, {@code heads.json}, optional
     * {@code cross-lingual/heads.json}) read as cross-lingual result files of one source language, without per-sentence
     * statistics: spec {@code TASK:SOURCE:DIR}, e.g. {@code pos:en:benchmarks/heads/ewt-pos-minilm}.
     */
    public static Runs sweep(String spec) {
        String[] p = spec.split(":", 3);
        if (p.length != 3 || !RunResult.TASKS.contains(p[0]))
            throw new HeadlensException("--sweep '" + spec + "': expected TASK:SOURCE:DIR with TASK one of pos, ner, slot");
        String task = p[0], source = p[1];
        Path dir = Path.of(p[2]);
        RunResult.Reader.language(source, dir);
        Path trials = dir.resolve("trials");
        if (!Files.isDirectory(trials)) throw new HeadlensException(dir + ": no trials/ directory (not a headlens sweep output)");
        String model = "?";
        Path res = dir.resolve("results.json");
        if (Files.isRegularFile(res)) model = RunResult.Reader.tree(res, MAX_BYTES).path("model").asText("?");
        if (model.equals("default")) model = "all-MiniLM-L6-v2";
        Map<String, RunResult> results = new LinkedHashMap<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(trials)) {
            files = s.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new HeadlensException(trials + ": cannot list: " + e.getMessage(), e);
        }
        for (Path f : files) results.put("sweep:" + dir.getFileName() + "/" + f.getFileName(), trial(task, source, model, f));
        List<Heads> heads = new ArrayList<>();
        for (String h : List.of("heads.json", "cross-lingual/heads.json")) {
            Path hf = dir.resolve(h);
            if (Files.isRegularFile(hf))
                heads.add(new Heads(dir.getFileName() + "/" + h.substring(0, h.length() - 5), task, ImportanceReport.read(hf)));
        }
        return new Runs(results, heads);
    }

    private static RunResult trial(String task, String source, String model, Path f) {
        JsonNode t = RunResult.Reader.tree(f, MAX_BYTES);
        RunResult.Reader r = new RunResult.Reader(f);
        int k = (int) r.integer(t, "k", 0, 100_000);
        String order = k == 0 ? "none" : r.oneOf(t, "order", RunResult.ORDERS);
        List<String> heads = r.strings(t, "heads", false);
        JsonNode sc = t.path("scores");
        if (!sc.isObject()) throw new HeadlensException(f + ": field 'scores' must be an object (language -> dev/test -> score)");
        Map<String, Map<String, RunResult.Split>> results = new LinkedHashMap<>();
        sc.fields().forEachRemaining(e -> {
            RunResult.Reader.language(e.getKey(), f);
            Map<String, RunResult.Split> splits = new LinkedHashMap<>();
            for (String split : List.of("dev", "test")) {
                JsonNode v = e.getValue().path(split);
                if (v.isMissingNode()) continue;
                if (!v.isNumber() || !(v.asDouble() >= 0 && v.asDouble() <= 1))
                    throw new HeadlensException(f + ": scores." + e.getKey() + "." + split + " must be a number in [0, 1]");
                splits.put(split, new RunResult.Split(-1, -1, Map.of(RunResult.mainMetric(task), new RunResult.Metric(v.asDouble(), null))));
            }
            results.put(e.getKey(), splits);
        });
        RunResult.Run run = new RunResult.Run(t.path("train_sentences").asInt(-1), t.path("epochs").asDouble(Double.NaN), Double.NaN, -1, -1,
                t.path("seconds").asDouble(Double.NaN), -1);
        return new RunResult(model, task.toLowerCase(Locale.ROOT), List.of(source), "cross", order, k, heads, "train+eval", -1, run, results);
    }
}
