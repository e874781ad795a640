package headlens.eval;

import headlens.core.AtomicFiles;
import headlens.core.HeadlensException;
import headlens.core.Json;
import headlens.data.Sentence;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Evaluation results for one task: pooled over all sentences and per language. JSON keys: {@code accuracy} for token
 * tagging (POS); {@code precision}/{@code recall}/{@code f1} (micro, entity level) for NER and slots; the same per language
 * under {@code languages}, and per label under {@code labels}.
 *
 * @param task      task name (pos, ner, slot, ...)
 * @param kind      how it is scored
 * @param strict    the strict-mode scheme, or null for conlleval mode (entity tasks only)
 * @param overall   all sentences pooled
 * @param languages per language, sorted by code
 */
public record Report(String task, Kind kind, Scheme strict, Result overall, Map<String, Result> languages) {

    public enum Kind { TOKEN_ACCURACY, ENTITY_F1 }

    /** Scores of one group of sentences; exactly one of {@code tokens}, {@code entities} is set. */
    public record Result(int sentences, int words, TokenScores tokens, EntityScores entities) {}

    /**
     * Scores predictions against gold sentences.
     *
     * @param predictions one predicted label per word, aligned with {@code gold}
     */
    public static Report evaluate(String task, Kind kind, Scheme strict, List<Sentence> gold, List<List<String>> predictions) {
        if (gold.size() != predictions.size())
            throw new IllegalArgumentException(gold.size() + " gold sentences but " + predictions.size() + " predictions");
        for (Sentence s : gold)
            if (!s.isLabeled()) throw new HeadlensException(s.source() + ": sentence has no gold labels to evaluate against");
        Scorer sc = new Scorer(task, kind, strict);
        for (int i = 0; i < gold.size(); i++) sc.add(gold.get(i), predictions.get(i));
        return sc.report();
    }

    /**
     * A report built a sentence at a time: it keeps only the counts the scores are computed from (per label or entity
     * type, overall and per language), so evaluation can stream its predictions. Same result as {@link #evaluate}.
     */
    public static final class Scorer {
        private final String task;
        private final Kind kind;
        private final Scheme strict;
        private final Group overall;
        private final Map<String, Group> languages = new TreeMap<>();
        private int index;

        public Scorer(String task, Kind kind, Scheme strict) {
            this.task = task;
            this.kind = kind;
            this.strict = strict;
            overall = new Group();
        }

        /** The next gold sentence and its predicted labels. */
        public void add(Sentence gold, List<String> prediction) {
            if (!gold.isLabeled()) throw new HeadlensException(gold.source() + ": sentence has no gold labels to evaluate against");
            if (gold.labels().size() != prediction.size())
                throw new IllegalArgumentException("sentence " + index + ": " + gold.labels().size() + " gold labels but "
                        + prediction.size() + " predicted");
            overall.add(gold.labels(), prediction);
            languages.computeIfAbsent(gold.lang(), k -> new Group()).add(gold.labels(), prediction);
            index++;
        }

        public Report report() {
            Map<String, Result> langs = new LinkedHashMap<>();
            languages.forEach((lang, g) -> langs.put(lang, g.result()));
            return new Report(task, kind, strict, overall.result(), langs);
        }

        /** One group of sentences (all, or one language). */
        private final class Group {
            final TokenAccuracy.Counts tokens = kind == Kind.TOKEN_ACCURACY ? new TokenAccuracy.Counts() : null;
            final SeqevalMetrics.Counts entities = kind == Kind.TOKEN_ACCURACY ? null : new SeqevalMetrics.Counts(strict);
            int sentences, words;

            void add(List<String> gold, List<String> pred) {
                sentences++;
                words += gold.size();
                if (tokens != null) tokens.add(gold, pred);
                else entities.add(gold, pred);
            }

            Result result() {
                return new Result(sentences, words, tokens == null ? null : tokens.scores(), entities == null ? null : entities.scores());
            }
        }
    }

    /** The JSON tree (maps, numbers, strings). */
    public Map<String, Object> toTree() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("task", task);
        root.put("metric", kind == Kind.TOKEN_ACCURACY ? "token-accuracy" : "entity-f1");
        if (kind == Kind.ENTITY_F1) root.put("mode", strict == null ? "conlleval" : "strict-" + strict.name());
        root.putAll(tree(overall));
        Map<String, Object> langs = new LinkedHashMap<>();
        languages.forEach((k, v) -> langs.put(k, tree(v)));
        root.put("languages", langs);
        return root;
    }

    private static Map<String, Object> tree(Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sentences", r.sentences());
        m.put("words", r.words());
        Map<String, Object> labels = new LinkedHashMap<>();
        if (r.tokens() != null) {
            m.put("accuracy", r.tokens().accuracy());
            m.put("correct", r.tokens().correct());
            r.tokens().perLabel().forEach((k, v) -> labels.put(k, prf(v)));
        } else {
            Prf micro = r.entities().micro();
            m.put("precision", micro.precision());
            m.put("recall", micro.recall());
            m.put("f1", micro.f1());
            m.put("support", micro.support());
            m.put("predicted", micro.predicted());
            m.put("correct", micro.correct());
            m.put("macro", prf(r.entities().macro()));
            m.put("weighted", prf(r.entities().weighted()));
            r.entities().perType().forEach((k, v) -> labels.put(k, prf(v)));
        }
        m.put("labels", labels);
        return m;
    }

    private static Map<String, Object> prf(Prf p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("precision", p.precision());
        m.put("recall", p.recall());
        m.put("f1", p.f1());
        m.put("support", p.support());
        return m;
    }

    public String toJson() {
        try {
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(toTree());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the JSON atomically (temp file + rename). */
    public void writeJson(Path file) {
        try {
            AtomicFiles.writeString(file, toJson());
        } catch (IOException e) {
            throw new HeadlensException(file + ": cannot write report (" + e.getMessage() + ")", e);
        }
    }

    /** A readable table: one row per language and an overall row, then the per-label table of all languages. */
    public String toText() {
        StringBuilder sb = new StringBuilder();
        boolean acc = kind == Kind.TOKEN_ACCURACY;
        sb.append("task ").append(task).append(": ")
                .append(acc ? "token accuracy" : "entity P/R/F1 (" + (strict == null ? "conlleval" : "strict " + strict) + ")")
                .append('\n');
        sb.append(acc ? String.format(Locale.ROOT, "%-10s %9s %9s %9s%n", "language", "sentences", "words", "accuracy")
                : String.format(Locale.ROOT, "%-10s %9s %9s %9s %9s %9s %9s%n", "language", "sentences", "words",
                "precision", "recall", "f1", "entities"));
        languages.forEach((lang, r) -> sb.append(row(lang, r)));
        sb.append(row("all", overall));
        sb.append('\n');
        sb.append(String.format(Locale.ROOT, "%-24s %9s %9s %9s %9s%n", "label", "precision", "recall", "f1", "support"));
        Map<String, Prf> perLabel = acc ? overall.tokens().perLabel() : overall.entities().perType();
        perLabel.forEach((label, p) -> sb.append(String.format(Locale.ROOT, "%-24s %9.4f %9.4f %9.4f %9d%n",
                label, p.precision(), p.recall(), p.f1(), p.support())));
        if (!acc) {
            Prf m = overall.entities().macro(), w = overall.entities().weighted(), u = overall.entities().micro();
            sb.append(String.format(Locale.ROOT, "%-24s %9.4f %9.4f %9.4f %9d%n", "micro avg", u.precision(), u.recall(), u.f1(), u.support()));
            sb.append(String.format(Locale.ROOT, "%-24s %9.4f %9.4f %9.4f %9d%n", "macro avg", m.precision(), m.recall(), m.f1(), m.support()));
            sb.append(String.format(Locale.ROOT, "%-24s %9.4f %9.4f %9.4f %9d%n", "weighted avg", w.precision(), w.recall(), w.f1(), w.support()));
        }
        return sb.toString();
    }

    private String row(String lang, Result r) {
        if (r.tokens() != null)
            return String.format(Locale.ROOT, "%-10s %9d %9d %9.4f%n", lang, r.sentences(), r.words(), r.tokens().accuracy());
        Prf p = r.entities().micro();
        return String.format(Locale.ROOT, "%-10s %9d %9d %9.4f %9.4f %9.4f %9d%n", lang, r.sentences(), r.words(),
                p.precision(), p.recall(), p.f1(), p.support());
    }
}
