package headlens.convert;

import com.fasterxml.jackson.databind.JsonNode;
import headlens.config.EncoderConfig;
import headlens.core.AtomicFiles;
import headlens.core.HeadlensException;
import headlens.core.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The headlens model directory: {@code config.json} (HuggingFace fields), {@code model.safetensors} (F32, HuggingFace
 * BertModel key names without the {@code bert.}/{@code roberta.} prefix, Linear weights [out, in]) and the tokenizer
 * files. A fine-tuned tagger (RUN_DIR) adds {@code id2label}/{@code label2id} and {@code classifier.weight/bias}.
 */
public final class ModelFiles {
    private ModelFiles() {}

    public static final String CONFIG = "config.json";
    public static final String WEIGHTS = "model.safetensors";
    /** Tokenizer files copied verbatim when present (the tokenizer loader reads them directly). */
    public static final List<String> TOKENIZER_FILES = List.of("tokenizer.json", "vocab.txt", "tokenizer_config.json",
            "special_tokens_map.json", "sentencepiece.bpe.model");

    /** Keys and shapes of the encoder weights the config requires, in a stable (HuggingFace) order. */
    public static Map<String, long[]> expectedShapes(EncoderConfig c) {
        Map<String, long[]> m = new LinkedHashMap<>();
        long h = c.hiddenSize(), inter = c.intermediateSize();
        m.put("embeddings.word_embeddings.weight", new long[]{c.vocabSize(), h});
        m.put("embeddings.position_embeddings.weight", new long[]{c.maxPositionEmbeddings(), h});
        m.put("embeddings.token_type_embeddings.weight", new long[]{c.typeVocabSize(), h});
        m.put("embeddings.LayerNorm.weight", new long[]{h});
        m.put("embeddings.LayerNorm.bias", new long[]{h});
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            String p = "encoder.layer." + l + ".";
            long a = (long) c.headsInLayer(l) * c.headDim();   // pruned heads shrink q/k/v outputs and the output projection input
            for (String qkv : List.of("query", "key", "value")) {
                m.put(p + "attention.self." + qkv + ".weight", new long[]{a, h});
                m.put(p + "attention.self." + qkv + ".bias", new long[]{a});
            }
            m.put(p + "attention.output.dense.weight", new long[]{h, a});
            m.put(p + "attention.output.dense.bias", new long[]{h});
            m.put(p + "attention.output.LayerNorm.weight", new long[]{h});
            m.put(p + "attention.output.LayerNorm.bias", new long[]{h});
            m.put(p + "intermediate.dense.weight", new long[]{inter, h});
            m.put(p + "intermediate.dense.bias", new long[]{inter});
            m.put(p + "output.dense.weight", new long[]{h, inter});
            m.put(p + "output.dense.bias", new long[]{h});
            m.put(p + "output.LayerNorm.weight", new long[]{h});
            m.put(p + "output.LayerNorm.bias", new long[]{h});
        }
        return m;
    }

    /** Optional tensors a model directory may carry: the pooler, and the classifier of a fine-tuned tagger. */
    public static Map<String, long[]> optionalShapes(EncoderConfig c) {
        Map<String, long[]> m = new LinkedHashMap<>();
        long h = c.hiddenSize();
        m.put("pooler.dense.weight", new long[]{h, h});
        m.put("pooler.dense.bias", new long[]{h});
        int labels = numLabels(c);
        if (labels > 0) {
            m.put("classifier.weight", new long[]{labels, h});
            m.put("classifier.bias", new long[]{labels});
        }
        return m;
    }

    /** Number of labels from {@code id2label} (0 when the config has none). */
    public static int numLabels(EncoderConfig c) {
        JsonNode n = c.raw().get("id2label");
        return n != null && n.isObject() ? n.size() : 0;
    }

    /**
     * Checks that the weights match the config: every required key present with its shape, optional keys with
     * theirs, nothing else. The message names the source, missing and unexpected keys, and the first shape mismatch.
     */
    public static void checkShapes(EncoderConfig c, Map<String, Tensor> weights, String source) {
        Map<String, long[]> req = expectedShapes(c), opt = optionalShapes(c);
        List<String> missing = new ArrayList<>(), unexpected = new ArrayList<>();
        for (String k : req.keySet()) if (!weights.containsKey(k)) missing.add(k);
        for (String k : weights.keySet()) if (!req.containsKey(k) && !opt.containsKey(k)) unexpected.add(k);
        if (opt.containsKey("pooler.dense.weight") && weights.containsKey("pooler.dense.weight") != weights.containsKey("pooler.dense.bias"))
            missing.add(weights.containsKey("pooler.dense.weight") ? "pooler.dense.bias" : "pooler.dense.weight");
        if (weights.containsKey("classifier.weight") != weights.containsKey("classifier.bias"))
            missing.add(weights.containsKey("classifier.weight") ? "classifier.bias" : "classifier.weight");
        StringBuilder err = new StringBuilder();
        if (!missing.isEmpty()) err.append("missing tensors ").append(abbreviate(missing));
        if (!unexpected.isEmpty()) err.append(err.isEmpty() ? "" : "; ").append("unexpected tensors ").append(abbreviate(unexpected));
        for (var e : weights.entrySet()) {
            long[] want = req.containsKey(e.getKey()) ? req.get(e.getKey()) : opt.get(e.getKey());
            if (want == null) continue;
            Tensor t = e.getValue();
            if (!Arrays.equals(want, t.shape())) {
                err.append(err.isEmpty() ? "" : "; ").append("tensor '").append(e.getKey()).append("' has shape ")
                        .append(Arrays.toString(t.shape())).append(" but the config needs ").append(Arrays.toString(want));
                break;
            }
            if (!t.dtype().isFloating()) {
                err.append(err.isEmpty() ? "" : "; ").append("tensor '").append(e.getKey()).append("' is ").append(t.dtype()).append(", not floating point");
                break;
            }
        }
        if (!err.isEmpty()) throw new HeadlensException(source + ": " + err);
    }

    public static void checkShapes(EncoderConfig c, Map<String, Tensor> weights) {
        checkShapes(c, weights, "weights");
    }

    private static String abbreviate(List<String> keys) {
        if (keys.size() <= 12) return keys.toString();
        return keys.subList(0, 12) + " and " + (keys.size() - 12) + " more";
    }

    /**
     * Writes a model directory: the weights (checked against the config, stored as F32 in the expected order; F16/BF16
     * inputs are widened while streaming to the file), the config, and the given tokenizer files (copied). Each file is
     * written atomically.
     */
    public static void write(Path dir, EncoderConfig cfg, Collection<Tensor> weights, Collection<Path> tokenizerFiles) {
        write(dir, cfg, weights, tokenizerFiles, Map.of());
    }

    /** As {@link #write(Path, EncoderConfig, Collection, Collection)}, plus generated files (name to bytes, e.g. tokenizer.json). */
    public static void write(Path dir, EncoderConfig cfg, Collection<Tensor> weights, Collection<Path> tokenizerFiles,
                             Map<String, byte[]> generated) {
        Map<String, Tensor> byName = new LinkedHashMap<>();
        for (Tensor t : weights) byName.put(t.name(), t);
        checkShapes(cfg, byName, dir.resolve(WEIGHTS).toString());
        List<Tensor> ordered = new ArrayList<>();
        Map<String, long[]> all = new LinkedHashMap<>(expectedShapes(cfg));
        all.putAll(optionalShapes(cfg));
        for (String k : all.keySet()) if (byName.containsKey(k)) ordered.add(byName.get(k));
        try {
            Files.createDirectories(dir);
            Safetensors.writeF32(dir.resolve(WEIGHTS), ordered, Map.of("format", "pt"));
            AtomicFiles.writeBytes(dir.resolve(CONFIG), Json.INDENTED.writeValueAsBytes(cfg.toJson()));
            for (Path f : tokenizerFiles) AtomicFiles.copy(f, dir.resolve(f.getFileName().toString()));
            for (var g : generated.entrySet()) AtomicFiles.writeBytes(dir.resolve(g.getKey()), g.getValue());
        } catch (IOException e) {
            throw new HeadlensException(dir + ": cannot write the model directory: " + e.getMessage(), e);
        }
    }

    /** Reads and checks a model directory's config and weights. */
    public static Map<String, Tensor> readWeights(Path dir, EncoderConfig cfg) {
        Path w = dir.resolve(WEIGHTS);
        Map<String, Tensor> m = Safetensors.read(w);
        checkShapes(cfg, m, w.toString());
        return m;
    }

    public static EncoderConfig readConfig(Path dir) {
        Path c = dir.resolve(CONFIG);
        if (!Files.isRegularFile(c)) throw new HeadlensException(c + ": no such file (is " + dir + " a model directory?)");
        return EncoderConfig.read(c);
    }

    /** The tokenizer files present in a directory. */
    public static List<Path> tokenizerFiles(Path dir) {
        List<Path> out = new ArrayList<>();
        for (String n : TOKENIZER_FILES) if (Files.isRegularFile(dir.resolve(n))) out.add(dir.resolve(n));
        return out;
    }
}
