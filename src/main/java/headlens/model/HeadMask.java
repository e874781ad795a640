package headlens.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import headlens.config.EncoderConfig;
import headlens.core.AtomicFiles;
import headlens.core.HeadlensException;
import headlens.core.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Mask-mode pruning as stored in a model directory: {@value #FILE}, heads by layer and ORIGINAL index (the numbering of
 * HuggingFace's {@code pruned_heads}), whose gates are 0 when the model is loaded:
 * <pre>{"format": "headlens-head-mask/1", "num_hidden_layers": 12, "num_attention_heads": 12,
 *  "masked_heads": {"3": [7], "5": [0, 2]}}</pre>
 * A directory without the file has every gate at 1. The model loader calls {@link #read(Path, EncoderConfig)} and
 * {@link #apply(Encoder)}.
 */
public record HeadMask(Set<HeadId> masked) {
    public static final String FILE = "head_mask.json";
    public static final String FORMAT = "headlens-head-mask/1";
    public static final HeadMask NONE = new HeadMask(Set.of());
    private static final long MAX_BYTES = 1 << 20;

    public HeadMask {
        masked = Set.copyOf(new TreeSet<>(masked));
    }

    public boolean isEmpty() { return masked.isEmpty(); }

    /** The mask in {@code modelDir}, checked against the model's shape; {@link #NONE} when the directory has no mask file. */
    public static HeadMask read(Path modelDir, EncoderConfig cfg) {
        Path file = modelDir.resolve(FILE);
        if (!Files.exists(file)) return NONE;
        JsonNode n;
        try {
            if (Files.size(file) > MAX_BYTES) throw new HeadlensException(file + ": larger than " + MAX_BYTES + " bytes");
            n = Json.MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new HeadlensException(file + ": not readable JSON: " + e.getMessage(), e);
        }
        if (!(n instanceof ObjectNode o) || !FORMAT.equals(o.path("format").asText()))
            throw new HeadlensException(file + ": field 'format' must be \"" + FORMAT + "\"");
        int layers = o.path("num_hidden_layers").asInt(-1), heads = o.path("num_attention_heads").asInt(-1);
        if (layers != cfg.numHiddenLayers() || heads != cfg.numAttentionHeads())
            throw new HeadlensException(file + ": mask is for " + layers + " layers × " + heads + " heads, config.json has "
                    + cfg.numHiddenLayers() + " × " + cfg.numAttentionHeads());
        JsonNode m = o.path("masked_heads");
        if (!m.isObject()) throw new HeadlensException(file + ": field 'masked_heads' must be an object {layer: [heads]}");
        Set<HeadId> ids = new TreeSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext(); ) {
            var e = it.next();
            int layer;
            try {
                layer = Integer.parseInt(e.getKey());
            } catch (NumberFormatException ex) {
                throw new HeadlensException(file + ": masked_heads key '" + e.getKey() + "' is not a layer number");
            }
            if (!e.getValue().isArray()) throw new HeadlensException(file + ": masked_heads." + e.getKey() + " must be an array");
            for (JsonNode h : e.getValue()) {
                if (!h.canConvertToInt()) throw new HeadlensException(file + ": masked_heads." + e.getKey() + " holds '" + h + "', not a head number");
                ids.add(new HeadId(layer, h.asInt()));
            }
        }
        HeadMask mask = new HeadMask(ids);
        try {
            mask.check(cfg);
        } catch (HeadlensException e) {
            throw new HeadlensException(file + ": " + e.getMessage(), e);
        }
        return mask;
    }

    /** Every head exists and is not physically pruned. */
    public void check(EncoderConfig cfg) {
        for (HeadId id : masked) {
            if (id.layer() < 0 || id.head() < 0) throw new HeadlensException("head " + id + " is negative");
            HeadLayout.check(cfg, id);
            if (HeadLayout.column(cfg, id) < 0)
                throw new HeadlensException("head " + id + " is masked but was physically pruned (config.json pruned_heads)");
        }
    }

    /** Writes {@value #FILE} atomically, or deletes it for an empty mask. */
    public void write(Path modelDir, EncoderConfig cfg) {
        check(cfg);
        Path file = modelDir.resolve(FILE);
        try {
            if (masked.isEmpty()) { Files.deleteIfExists(file); return; }
            ObjectNode o = Json.MAPPER.createObjectNode();
            o.put("format", FORMAT);
            o.put("num_hidden_layers", cfg.numHiddenLayers());
            o.put("num_attention_heads", cfg.numAttentionHeads());
            ObjectNode m = o.putObject("masked_heads");
            for (HeadId id : new TreeSet<>(masked)) {
                String k = String.valueOf(id.layer());
                (m.has(k) ? (com.fasterxml.jackson.databind.node.ArrayNode) m.get(k) : m.putArray(k)).add(id.head());
            }
            AtomicFiles.writeBytes(file, Json.INDENTED.writeValueAsBytes(o));
        } catch (IOException e) {
            throw new HeadlensException(file + ": cannot write: " + e.getMessage(), e);
        }
    }

    /** Gates for the encoder's layout: 0 for masked heads, 1 elsewhere, [layer][kept head]. */
    public float[][] gates(EncoderConfig cfg) {
        check(cfg);
        float[][] g = new float[cfg.numHiddenLayers()][];
        for (int l = 0; l < g.length; l++) {
            g[l] = new float[cfg.headsInLayer(l)];
            Arrays.fill(g[l], 1f);
        }
        for (HeadId id : masked) g[id.layer()][HeadLayout.column(cfg, id)] = 0f;
        return g;
    }

    /** Sets the encoder's gates: masked heads 0, all others 1. */
    public void apply(Encoder encoder) {
        encoder.setGates(gates(encoder.config()));
    }

    /** This mask plus more heads. */
    public HeadMask plus(java.util.Collection<HeadId> more) {
        Set<HeadId> s = new TreeSet<>(masked);
        s.addAll(more);
        return new HeadMask(s);
    }
}
