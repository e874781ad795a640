package headlens.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import headlens.core.HeadlensException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An experiment file ({@code configs/experiments/*.yaml}, YAML or JSON): the same settings as the {@code train} options,
 * in snake case, plus {@code extends: OTHER.yaml} (resolved against the file's folder) to inherit a task file's defaults.
 * Run settings: {@code model, task, train, dev, eval, output, train_languages, eval_languages, stride, max_dev_sentences,
 * eval_batch_size, sample_sentences} (a random subset of N training sentences, seeded), max_eval_sentences (first N of each test file); every other key is a {@link TrainConfig} field. Data paths are taken as written (relative to the
 * working directory).
 */
public record Experiment(String model, String task, List<String> train, String dev, List<String> eval, String output,
                         List<String> trainLanguages, List<String> evalLanguages, int stride, int maxDevSentences,
                         int evalBatchSize, int sampleSentences, int maxEvalSentences, TrainConfig training) {

    public static final Set<String> RUN_KEYS = Set.of("model", "task", "train", "dev", "eval", "output", "train_languages",
            "eval_languages", "stride", "max_dev_sentences", "eval_batch_size", "sample_sentences", "max_eval_sentences");
    public static final Set<String> TASKS = Set.of("pos", "ner", "slot");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());   // its own mapper: YAML

    /** Reads a file and what it extends; later files override earlier ones key by key. */
    public static ObjectNode read(Path file) {
        return read(file, new HashSet<>());
    }

    private static ObjectNode read(Path file, Set<Path> seen) {
        Path abs = file.toAbsolutePath().normalize();
        if (!seen.add(abs)) throw new HeadlensException(file + ": 'extends' cycle");
        JsonNode n;
        try {
            n = YAML.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new HeadlensException(file + ": cannot read experiment file: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
        if (!(n instanceof ObjectNode o)) throw new HeadlensException(file + ": expected a mapping of settings");
        ObjectNode out = YAML.createObjectNode();
        JsonNode ext = o.remove("extends");
        if (ext != null) {
            if (!ext.isTextual()) throw new HeadlensException(file + ": 'extends' must be a file name");
            Path parent = abs.getParent();
            out.setAll(read(parent.resolve(ext.asText()), seen));
        }
        out.setAll(o);
        return out;
    }

    /** Settings from merged key/values (file settings with command-line overrides applied), checked. */
    public static Experiment of(ObjectNode n, String source) {
        ObjectNode training = YAML.createObjectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            var e = it.next();
            if (!RUN_KEYS.contains(e.getKey())) training.set(e.getKey(), e.getValue());
        }
        TrainConfig tc;
        try {
            tc = TrainConfig.DEFAULTS.with(training);
        } catch (IllegalArgumentException e) {
            throw new HeadlensException(source + ": " + e.getMessage());
        }
        String task = text(n, "task", source);
        if (task == null || !TASKS.contains(task))
            throw new HeadlensException(source + ": field 'task' must be one of pos, ner, slot (got " + task + ")");
        int stride = n.path("stride").asInt(32);
        if (stride < 0) throw new HeadlensException(source + ": field 'stride' must be >= 0");
        return new Experiment(text(n, "model", source), task, list(n, "train", source), text(n, "dev", source),
                list(n, "eval", source), text(n, "output", source), list(n, "train_languages", source),
                list(n, "eval_languages", source), stride, n.path("max_dev_sentences").asInt(0),
                Math.max(1, n.path("eval_batch_size").asInt(32)), Math.max(0, n.path("sample_sentences").asInt(0)),
                Math.max(0, n.path("max_eval_sentences").asInt(0)), tc);
    }

    private static String text(ObjectNode n, String key, String source) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) return null;
        if (!v.isValueNode()) throw new HeadlensException(source + ": field '" + key + "' must be a single value");
        return v.asText();
    }

    private static List<String> list(ObjectNode n, String key, String source) {
        JsonNode v = n.get(key);
        List<String> out = new ArrayList<>();
        if (v == null || v.isNull()) return out;
        if (v.isValueNode()) { out.add(v.asText()); return out; }
        if (!(v instanceof ArrayNode a)) throw new HeadlensException(source + ": field '" + key + "' must be a list");
        for (JsonNode x : a) {
            if (!x.isValueNode()) throw new HeadlensException(source + ": field '" + key + "' must list plain values");
            out.add(x.asText());
        }
        return out;
    }

    public static ObjectMapper mapper() { return YAML; }
}
