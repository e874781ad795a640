package headlens.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import headlens.core.AtomicFiles;
import headlens.core.HeadlensException;
import headlens.core.Json;
import headlens.eval.SentenceStats;
import headlens.model.HeadId;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One evaluated model ({@code headlens-result/1}, documented in {@code benchmarks/paper/SCHEMA.md}): what was trained
 * (task, source languages, setting, which heads were masked and when, seed, the run's budget and cost) and, per target
 * language and split, the metric values with the per-sentence sufficient statistics a paired bootstrap needs.
 *
 * @param model   the encoder (e.g. {@code bert-base-multilingual-cased})
 * @param task    pos, ner or slot
 * @param sources training languages, sorted
 * @param setting cross (source training data only) or multi (the union of the languages' training sets)
 * @param order   none (k = 0), lowest (the paper's), highest or random (controls)
 * @param k       heads masked
 * @param heads   the masked heads, "layer:head"
 * @param masking train+eval (masked in fine-tuning and evaluation) or train-only (as the authors' released code)
 * @param results target language -> split (dev, test) -> scores
 */
public record RunResult(String model, String task, List<String> sources, String setting, String order, int k,
                        List<String> heads, String masking, long seed, Run run, Map<String, Map<String, Split>> results) {
    public static final String FORMAT = "headlens-result/1";
    public static final Set<String> TASKS = Set.of("pos", "ner", "slot"), SETTINGS = Set.of("cross", "multi"),
            ORDERS = Set.of("none", "lowest", "highest", "random"), MASKINGS = Set.of("train+eval", "train-only"),
            SPLITS = Set.of("dev", "test");
    /** accuracy = token accuracy; f1 = seqeval (1.x, conlleval mode) entity micro F1; paper_f1 = seqeval 0.0.12 chunk F1 over UPOS. */
    public static final Map<String, SentenceStats.Kind> METRICS = Map.of(
            "accuracy", SentenceStats.Kind.ACCURACY, "f1", SentenceStats.Kind.F1, "paper_f1", SentenceStats.Kind.F1);
    private static final long MAX_BYTES = 512L << 20;
    private static final int MAX_SENTENCES = 10_000_000;

    /**
     * What the run used; NaN / -1 where unknown.
     *
     * @param peakRssBytes the process's peak resident set (VmHWM), see {@link #peakRss()}
     */
    public record Run(int trainSentences, double epochs, double lr, int batchSize, int maxLength, double wallSeconds, long peakRssBytes) {
        public static final Run UNKNOWN = new Run(-1, Double.NaN, Double.NaN, -1, -1, Double.NaN, -1);

        /** This process's peak resident set size so far (Linux {@code VmHWM}), or -1 where /proc is not there. */
        public static long peakRss() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/status")))
                    if (line.startsWith("VmHWM:")) return 1024L * Long.parseLong(line.replaceAll("[^0-9]", ""));
            } catch (IOException | NumberFormatException e) {
                return -1;
            }
            return -1;
        }
    }

    /** Scores of one split of one target language. */
    public record Split(int sentences, long tokens, Map<String, Metric> metrics) {
        /**
         * Scores predictions against gold labels (one label per word, sentence by sentence) with the task's metrics: POS
         * token accuracy and the paper's POS F1; NER and slots seqeval entity F1 and token accuracy.
         */
        public static Split score(String task, List<List<String>> gold, List<List<String>> pred) {
            Map<String, Metric> m = new TreeMap<>();
            m.put("accuracy", Metric.of(SentenceStats.accuracy(gold, pred)));
            if (task.equals("pos")) m.put("paper_f1", Metric.of(SentenceStats.paperPosF1(gold, pred)));
            else m.put("f1", Metric.of(SentenceStats.chunkF1(gold, pred, null)));
            long tokens = gold.stream().mapToLong(List::size).sum();
            return new Split(gold.size(), tokens, m);
        }
    }

    /** A metric's value and, where recorded, its per-sentence statistics (the value is then recomputed from them). */
    public record Metric(double value, SentenceStats stats) {
        public static Metric of(SentenceStats s) { return new Metric(s.value(), s); }
    }

    public RunResult {
        sources = sources.stream().sorted().toList();
        heads = List.copyOf(heads);
        results = new TreeMap<>(results);
    }

    /** The headline metric of a task (accuracy for POS, entity F1 otherwise) and the one the paper's tables report. */
    public static String mainMetric(String task) { return task.equals("pos") ? "accuracy" : "f1"; }

    public static String paperMetric(String task) { return task.equals("pos") ? "paper_f1" : "f1"; }

    // ------------------------------------------------------------------------------------------------ JSON

    public ObjectNode toJson() {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("format", FORMAT);
        o.put("model", model);
        o.put("task", task);
        ArrayNode s = o.putArray("sources");
        sources.forEach(s::add);
        o.put("setting", setting);
        o.put("order", order);
        o.put("k", k);
        ArrayNode h = o.putArray("heads");
        heads.forEach(h::add);
        o.put("masking", masking);
        o.put("seed", seed);
        ObjectNode r = o.putObject("run");
        putInt(r, "train_sentences", run.trainSentences());
        putNum(r, "epochs", run.epochs());
        putNum(r, "lr", run.lr());
        putInt(r, "batch_size", run.batchSize());
        putInt(r, "max_length", run.maxLength());
        putNum(r, "wall_seconds", run.wallSeconds());
        if (run.peakRssBytes() < 0) r.putNull("peak_rss_bytes"); else r.put("peak_rss_bytes", run.peakRssBytes());
        ObjectNode res = o.putObject("results");
        results.forEach((lang, splits) -> {
            ObjectNode l = res.putObject(lang);
            new TreeMap<>(splits).forEach((split, sc) -> {
                ObjectNode n = l.putObject(split);
                n.put("sentences", sc.sentences());
                n.put("tokens", sc.tokens());
                ObjectNode ms = n.putObject("metrics");
                new TreeMap<>(sc.metrics()).forEach((name, m) -> {
                    ObjectNode mn = ms.putObject(name);
                    mn.put("value", m.value());
                    if (m.stats() != null)
                        for (int c = 0; c < m.stats().columns().length; c++) {
                            ArrayNode a = mn.putArray(m.stats().kind().columns().get(c));
                            for (int v : m.stats().columns()[c]) a.add(v);
                        }
                });
            });
        });
        return o;
    }

    private static void putInt(ObjectNode n, String f, long v) { if (v < 0) n.putNull(f); else n.put(f, v); }

    private static void putNum(ObjectNode n, String f, double v) { if (Double.isNaN(v)) n.putNull(f); else n.put(f, v); }

    /** Writes the file atomically (temp + rename). */
    public void write(Path file) {
        try {
            AtomicFiles.writeString(file, Json.INDENTED.writeValueAsString(toJson()));
        } catch (IOException e) {
            throw new HeadlensException(file + ": cannot write: " + e.getMessage(), e);
        }
    }

    /** Whether a parsed JSON tree claims to be a result file. */
    static boolean isResult(JsonNode n) { return n.isObject() && FORMAT.equals(n.path("format").asText()); }

    public static RunResult read(Path file) {
        return parse(Reader.tree(file, MAX_BYTES), file);
    }

    /** Validates a parsed result file; every error names the file and the field. */
    public static RunResult parse(JsonNode o, Path file) {
        if (!isResult(o)) throw new HeadlensException(file + ": field 'format' must be \"" + FORMAT + "\"");
        Reader r = new Reader(file);
        String task = r.oneOf(o, "task", TASKS), setting = r.oneOf(o, "setting", SETTINGS), order = r.oneOf(o, "order", ORDERS);
        String masking = r.oneOf(o, "masking", MASKINGS);
        int k = (int) r.integer(o, "k", 0, 100_000);
        if ((k == 0) != order.equals("none")) throw new HeadlensException(file + ": order 'none' goes with k = 0 and only with it (order " + order + ", k " + k + ")");
        List<String> sources = r.strings(o, "sources", true);
        List<String> heads = r.strings(o, "heads", false);
        for (String h : heads) HeadId.parse(h);
        if (heads.size() != k && !heads.isEmpty()) throw new HeadlensException(file + ": 'heads' lists " + heads.size() + " heads but k = " + k);
        JsonNode rn = o.path("run");
        Run run = new Run((int) r.optInt(rn, "train_sentences"), r.optNum(rn, "epochs"), r.optNum(rn, "lr"), (int) r.optInt(rn, "batch_size"),
                (int) r.optInt(rn, "max_length"), r.optNum(rn, "wall_seconds"), r.optInt(rn, "peak_rss_bytes"));
        JsonNode res = o.path("results");
        if (!res.isObject()) throw new HeadlensException(file + ": field 'results' must be an object (language -> split -> scores)");
        Map<String, Map<String, Split>> results = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = res.fields(); it.hasNext(); ) {
            var le = it.next();
            Reader.language(le.getKey(), file);
            Map<String, Split> splits = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> is = le.getValue().fields(); is.hasNext(); ) {
                var se = is.next();
                String where = "results." + le.getKey() + "." + se.getKey();
                if (!SPLITS.contains(se.getKey())) throw new HeadlensException(file + ": " + where + ": split must be dev or test");
                splits.put(se.getKey(), split(se.getValue(), r, where));
            }
            results.put(le.getKey(), splits);
        }
        JsonNode model = o.path("model");
        if (!model.isTextual() || model.asText().isBlank() || model.asText().length() > 200)
            throw new HeadlensException(file + ": field 'model' must be a non-empty string (the encoder, e.g. bert-base-multilingual-cased)");
        return new RunResult(model.asText(), task, sources, setting, order, k, heads, masking,
                r.integer(o, "seed", Long.MIN_VALUE, Long.MAX_VALUE), run, results);
    }

    private static Split split(JsonNode n, Reader r, String where) {
        int sentences = (int) r.integer(n, "sentences", 0, MAX_SENTENCES, where);
        long tokens = r.integer(n, "tokens", 0, Long.MAX_VALUE, where);
        JsonNode ms = n.path("metrics");
        if (!ms.isObject()) throw new HeadlensException(r.file + ": " + where + ".metrics must be an object");
        Map<String, Metric> metrics = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = ms.fields(); it.hasNext(); ) {
            var e = it.next();
            String w = where + ".metrics." + e.getKey();
            SentenceStats.Kind kind = METRICS.get(e.getKey());
            if (kind == null) throw new HeadlensException(r.file + ": " + w + ": unknown metric (known: " + new TreeMap<>(METRICS).keySet() + ")");
            JsonNode m = e.getValue();
            JsonNode v = m.path("value");
            if (!v.isNumber() || !(v.asDouble() >= 0 && v.asDouble() <= 1)) throw new HeadlensException(r.file + ": " + w + ".value must be a number in [0, 1]");
            SentenceStats stats = null;
            if (m.has(kind.columns().get(0))) {
                int[][] cols = new int[kind.columns().size()][];
                for (int c = 0; c < cols.length; c++) cols[c] = r.counts(m, kind.columns().get(c), sentences, w);
                stats = new SentenceStats(kind, cols);
                if (kind == SentenceStats.Kind.ACCURACY && stats.sums()[1] != tokens)
                    throw new HeadlensException(r.file + ": " + w + ".total sums to " + stats.sums()[1] + ", but tokens = " + tokens);
                if (kind == SentenceStats.Kind.ACCURACY)
                    for (int s = 0; s < sentences; s++)
                        if (cols[0][s] > cols[1][s]) throw new HeadlensException(r.file + ": " + w + ".correct[" + s + "] exceeds total[" + s + "]");
                if (Math.abs(stats.value() - v.asDouble()) > 1e-9)
                    throw new HeadlensException(r.file + ": " + w + ".value " + v.asDouble() + " disagrees with its per-sentence statistics (" + stats.value() + ")");
            }
            metrics.put(e.getKey(), new Metric(stats == null ? v.asDouble() : stats.value(), stats));
        }
        return new Split(sentences, tokens, metrics);
    }

    /** Bounded, allow-listed field readers that name the file and field in every error. */
    static final class Reader {
        final Path file;

        Reader(Path file) { this.file = file; }

        static JsonNode tree(Path file, long maxBytes) {
            try {
                if (!Files.isRegularFile(file)) throw new HeadlensException(file + ": no such file");
                if (Files.size(file) > maxBytes) throw new HeadlensException(file + ": larger than " + maxBytes + " bytes");
                return Json.MAPPER.readTree(file.toFile());
            } catch (IOException e) {
                throw new HeadlensException(file + ": not readable JSON: " + e.getMessage(), e);
            }
        }

        static void language(String code, Path file) {
            if (!code.matches("[a-z]{2,3}(-[A-Za-z0-9]{1,8})?"))
                throw new HeadlensException(file + ": '" + code + "' is not a language code (e.g. en, pt, zh-Hans)");
        }

        String oneOf(JsonNode o, String f, Set<String> allowed) {
            String v = o.path(f).asText("");
            if (!o.path(f).isTextual() || !allowed.contains(v))
                throw new HeadlensException(file + ": field '" + f + "' is '" + o.path(f) + "', expected one of " + new java.util.TreeSet<>(allowed));
            return v;
        }

        long integer(JsonNode o, String f, long min, long max) { return integer(o, f, min, max, null); }

        long integer(JsonNode o, String f, long min, long max, String where) {
            JsonNode v = o.path(f);
            String name = where == null ? f : where + "." + f;
            if (!v.canConvertToLong() || !v.isIntegralNumber() || v.asLong() < min || v.asLong() > max)
                throw new HeadlensException(file + ": field '" + name + "' missing or not an integer in [" + min + ", " + max + "]");
            return v.asLong();
        }

        long optInt(JsonNode o, String f) {
            JsonNode v = o.path(f);
            if (v.isMissingNode() || v.isNull()) return -1;
            if (!v.isIntegralNumber() || v.asLong() < 0) throw new HeadlensException(file + ": field 'run." + f + "' must be a non-negative integer or null");
            return v.asLong();
        }

        double optNum(JsonNode o, String f) {
            JsonNode v = o.path(f);
            if (v.isMissingNode() || v.isNull()) return Double.NaN;
            if (!v.isNumber() || !Double.isFinite(v.asDouble()) || v.asDouble() < 0)
                throw new HeadlensException(file + ": field 'run." + f + "' must be a non-negative number or null");
            return v.asDouble();
        }

        List<String> strings(JsonNode o, String f, boolean languages) {
            JsonNode a = o.path(f);
            if (!a.isArray() || (languages && a.isEmpty()) || a.size() > 10_000)
                throw new HeadlensException(file + ": field '" + f + "' must be " + (languages ? "a non-empty" : "an") + " array of strings");
            List<String> r = new ArrayList<>();
            for (JsonNode x : a) {
                if (!x.isTextual()) throw new HeadlensException(file + ": field '" + f + "' must hold strings, found " + x);
                if (languages) language(x.asText(), file);
                r.add(x.asText());
            }
            return r;
        }

        int[] counts(JsonNode m, String f, int n, String where) {
            JsonNode a = m.path(f);
            if (!a.isArray() || a.size() != n)
                throw new HeadlensException(file + ": " + where + "." + f + " must be an array of " + n + " counts (one per sentence)");
            int[] r = new int[n];
            for (int i = 0; i < n; i++) {
                JsonNode x = a.get(i);
                if (!x.isInt() || x.asInt() < 0) throw new HeadlensException(file + ": " + where + "." + f + "[" + i + "] is '" + x + "', not a count");
                r[i] = x.asInt();
            }
            return r;
        }
    }
}
