package headlens.heads;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import headlens.config.EncoderConfig;
import headlens.core.AtomicFiles;
import headlens.core.HeadlensException;
import headlens.core.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The heads file ({@code heads.json}): per language the importance tables (the ranking method's, and optionally the
 * per-token variant and attention entropy), the cross-language aggregate with its ranking (least important first), and
 * the Spearman correlation between the languages' rankings.
 *
 * @param method           the table the ranking uses: "gradient" (Michel's I_h, the paper's) or "token"
 * @param rankingLanguages the languages whose mean ranks the heads (the source languages of a sweep); null = all
 */
public record ImportanceReport(int layers, int heads, String method, Map<String, Language> languages,
                               List<String> rankingLanguages, ObjectNode info) {
    public static final String FORMAT = "headlens-heads/1";
    /**
     * The name a sweep gives a source language's source-dev part when it also ranks that language on its target dev set
     * (other, usually more, sentences), which then carries the language's own name.
     */
    public static final String SOURCE_DEV_SUFFIX = "-source-dev";
    private static final long MAX_BYTES = 64L << 20;

    /**
     * One language's tables; {@code token}, {@code entropy} and {@code released} (the authors' released code's K/V
     * weight-gradient table, {@link HeadImportance.Result#released()}) may be null, as may {@code splitHalf} (Spearman's ρ
     * between the gradient rankings of alternate batches, {@link HeadImportance.Result#splitHalf()}; absent from older files).
     */
    public record Language(HeadScores gradient, HeadScores token, HeadScores entropy, HeadScores released, int sentences,
                           Double splitHalf) {
        public Language(HeadScores gradient, HeadScores token, HeadScores entropy, int sentences, Double splitHalf) {
            this(gradient, token, entropy, null, sentences, splitHalf);
        }

        public HeadScores ranking(String method) {
            HeadScores s = method.equals("token") ? token : gradient;
            if (s == null) throw new HeadlensException("heads file has no '" + method + "' table for '" + gradient.name() + "'");
            return s;
        }
    }

    public ImportanceReport {
        if (!method.equals("gradient") && !method.equals("token"))
            throw new HeadlensException("importance method '" + method + "' is not known (gradient, token)");
        if (languages.isEmpty()) throw new HeadlensException("heads file: no languages");
        languages = new LinkedHashMap<>(languages);
        if (rankingLanguages != null)
            for (String l : rankingLanguages)
                if (!languages.containsKey(l)) throw new HeadlensException("heads file: ranking language '" + l + "' has no table");
        rankingLanguages = rankingLanguages == null ? List.copyOf(languages.keySet()) : List.copyOf(rankingLanguages);
    }

    /** The ranking used for pruning: the language's table, or the mean over languages when there are several. */
    public HeadScores aggregate() {
        List<HeadScores> t = new ArrayList<>();
        for (String l : rankingLanguages) t.add(languages.get(l).ranking(method));
        return t.size() == 1 ? t.get(0) : HeadScores.aggregate("aggregate", t);
    }

    /**
     * The language the others' rankings are set against: the first ranking language, under its own name where the file
     * ranks it on its target dev set as well (the larger set, and the one the paper's ρ with English is computed on).
     */
    public String referenceLanguage() {
        String first = rankingLanguages.get(0);
        if (!first.endsWith(SOURCE_DEV_SUFFIX)) return first;
        String own = first.substring(0, first.length() - SOURCE_DEV_SUFFIX.length());
        return languages.containsKey(own) ? own : first;
    }

    /** Spearman's ρ between every pair of languages' rankings (normalised scores over the heads present in both). */
    public Map<String, Map<String, Double>> spearman() {
        Map<String, Map<String, Double>> m = new LinkedHashMap<>();
        for (var a : languages.entrySet()) {
            Map<String, Double> row = new LinkedHashMap<>();
            for (var b : languages.entrySet()) {
                double[][] p = a.getValue().ranking(method).pairedWith(b.getValue().ranking(method));
                row.put(b.getKey(), Spearman.rho(p[0], p[1]));
            }
            m.put(a.getKey(), row);
        }
        return m;
    }

    /** Checks that the file fits the model's shape. */
    public void checkFits(EncoderConfig cfg, Path file) {
        if (layers != cfg.numHiddenLayers() || heads != cfg.numAttentionHeads())
            throw new HeadlensException(file + ": head scores are for " + layers + " layers × " + heads + " heads, but the model has "
                    + cfg.numHiddenLayers() + " layers × " + cfg.numAttentionHeads() + " heads");
    }

    // ------------------------------------------------------------------------------------------------ JSON

    public ObjectNode toJson() {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("format", FORMAT);
        o.put("num_hidden_layers", layers);
        o.put("num_attention_heads", heads);
        o.put("method", method);
        o.put("normalization", "per layer divided by its L2 norm, then min-max scaled to [0, 1] over all heads");
        o.put("ranking_order", "least important first; heads as \"layer:head\" (original indices)");
        if (languages.values().stream().anyMatch(l -> l.splitHalf() != null))
            o.put("split_half", "split_half_rho: Spearman's rho between the gradient rankings of a language's even- and odd-numbered (length-sorted) batches");
        if (languages.values().stream().anyMatch(l -> l.released() != null))
            o.put("released_kv", "released_kv: the authors' released code's ranking table (not used here to rank): per batch the mean |dL/dW_K| + "
                    + "mean |dL/dW_V| over each head's input-column block, summed; normalized per layer by the L1 sum, then min-max");
        ObjectNode langs = o.putObject("languages");
        languages.forEach((k, l) -> {
            ObjectNode n = langs.putObject(k);
            n.put("sentences", l.sentences());
            n.put("tokens", l.gradient().tokens());
            if (l.splitHalf() != null && !Double.isNaN(l.splitHalf())) n.put("split_half_rho", l.splitHalf());
            putTable(n.putObject("gradient"), l.gradient());
            if (l.token() != null) putTable(n.putObject("token"), l.token());
            if (l.entropy() != null) putTable(n.putObject("entropy"), l.entropy());
            if (l.released() != null) putTable(n.putObject("released_kv"), l.released());
        });
        HeadScores agg = aggregate();
        ObjectNode a = o.putObject("aggregate");
        ArrayNode rl = a.putArray("languages");
        rankingLanguages.forEach(rl::add);
        a.set("normalized", matrix(agg.normalized()));
        ArrayNode r = a.putArray("ranking");
        agg.ascending().forEach(id -> r.add(id.toString()));
        ObjectNode sp = o.putObject("spearman");
        spearman().forEach((k, row) -> {
            ObjectNode n = sp.putObject(k);
            row.forEach((k2, v) -> { if (Double.isNaN(v)) n.putNull(k2); else n.put(k2, v); });
        });
        if (info != null) o.set("info", info);
        return o;
    }

    private static void putTable(ObjectNode n, HeadScores s) {
        n.set("raw", matrix(s.raw()));
        n.set("normalized", matrix(s.normalized()));
    }

    private static ArrayNode matrix(double[][] m) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        for (double[] row : m) {
            ArrayNode r = a.addArray();
            for (double v : row) if (Double.isNaN(v)) r.addNull(); else r.add(v);
        }
        return a;
    }

    public void write(Path file) {
        try {
            AtomicFiles.writeBytes(file, Json.INDENTED.writeValueAsBytes(toJson()));
        } catch (IOException e) {
            throw new HeadlensException(file + ": cannot write: " + e.getMessage(), e);
        }
    }

    public static ImportanceReport read(Path file) {
        JsonNode n;
        try {
            if (!Files.isRegularFile(file)) throw new HeadlensException(file + ": no such file");
            if (Files.size(file) > MAX_BYTES) throw new HeadlensException(file + ": larger than " + MAX_BYTES + " bytes");
            n = Json.MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new HeadlensException(file + ": not readable JSON: " + e.getMessage(), e);
        }
        if (!(n instanceof ObjectNode o) || !FORMAT.equals(o.path("format").asText()))
            throw new HeadlensException(file + ": field 'format' must be \"" + FORMAT + "\" (a file written by headlens importance)");
        int layers = positive(o, "num_hidden_layers", file), heads = positive(o, "num_attention_heads", file);
        String method = o.path("method").asText("gradient");
        JsonNode langs = o.path("languages");
        if (!langs.isObject() || langs.isEmpty()) throw new HeadlensException(file + ": field 'languages' must be a non-empty object");
        Map<String, Language> m = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = langs.fields(); it.hasNext(); ) {
            var e = it.next();
            String where = "languages." + e.getKey();
            JsonNode l = e.getValue();
            long tokens = l.path("tokens").asLong(0);
            HeadScores g = table(l.path("gradient"), e.getKey(), tokens, layers, heads, file, where + ".gradient");
            HeadScores t = l.has("token") ? table(l.get("token"), e.getKey(), tokens, layers, heads, file, where + ".token") : null;
            HeadScores en = l.has("entropy") ? table(l.get("entropy"), e.getKey(), tokens, layers, heads, file, where + ".entropy") : null;
            HeadScores kv = l.has("released_kv") ? table(l.get("released_kv"), e.getKey(), tokens, layers, heads, file, where + ".released_kv") : null;
            if (kv != null) kv = HeadScores.fromRawL1(kv.name(), kv.raw(), kv.tokens());
            Double half = null;
            if (l.has("split_half_rho")) {
                JsonNode h = l.get("split_half_rho");
                if (!h.isNumber() || h.asDouble() < -1 || h.asDouble() > 1)
                    throw new HeadlensException(file + ": " + where + ".split_half_rho must be a number in [-1, 1], not " + h);
                half = h.asDouble();
            }
            m.put(e.getKey(), new Language(g, t, en, kv, l.path("sentences").asInt(0), half));
        }
        List<String> rl = null;
        if (o.path("aggregate").path("languages").isArray()) {
            rl = new ArrayList<>();
            for (JsonNode x : o.path("aggregate").path("languages")) rl.add(x.asText());
        }
        return new ImportanceReport(layers, heads, method, m, rl, o.has("info") && o.get("info").isObject() ? (ObjectNode) o.get("info") : null);
    }

    private static HeadScores table(JsonNode t, String name, long tokens, int layers, int heads, Path file, String where) {
        JsonNode raw = t.path("raw");
        if (!raw.isArray() || raw.size() != layers)
            throw new HeadlensException(file + ": " + where + ".raw must be " + layers + " rows (num_hidden_layers)");
        double[][] r = new double[layers][heads];
        for (int l = 0; l < layers; l++) {
            JsonNode row = raw.get(l);
            if (!row.isArray() || row.size() != heads)
                throw new HeadlensException(file + ": " + where + ".raw[" + l + "] must have " + heads + " values (num_attention_heads)");
            for (int h = 0; h < heads; h++) {
                JsonNode v = row.get(h);
                if (v.isNull()) r[l][h] = Double.NaN;
                else if (v.isNumber() && Double.isFinite(v.asDouble()) && v.asDouble() >= 0) r[l][h] = v.asDouble();
                else throw new HeadlensException(file + ": " + where + ".raw[" + l + "][" + h + "] is '" + v + "', not a non-negative number or null");
            }
        }
        return HeadScores.fromRaw(name, r, tokens);   // the normalisation is recomputed, never trusted from the file
    }

    private static int positive(ObjectNode o, String f, Path file) {
        JsonNode v = o.get(f);
        if (v == null || !v.canConvertToInt() || v.asInt() <= 0 || v.asInt() > 10_000)
            throw new HeadlensException(file + ": field '" + f + "' missing or not a positive integer");
        return v.asInt();
    }
}
