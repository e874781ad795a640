package headlens.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import headlens.core.HeadlensException;
import headlens.core.Json;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The encoder's shape and constants, read from a HuggingFace {@code config.json} (same field names).
 *
 * @param prunedHeads layer -> original head indices removed from that layer (HuggingFace {@code pruned_heads})
 * @param raw         the whole JSON object as read, so fields we do not model (id2label, ...) survive a rewrite
 */
public record EncoderConfig(
        String modelType,          // "bert" | "xlm-roberta"
        int vocabSize,
        int hiddenSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int intermediateSize,
        String hiddenAct,
        int maxPositionEmbeddings,
        int typeVocabSize,
        double layerNormEps,
        int padTokenId,
        double hiddenDropoutProb,
        double attentionProbsDropoutProb,
        Map<Integer, List<Integer>> prunedHeads,
        ObjectNode raw) {

    /**
     * HuggingFace's names for the activations we compute: {@code gelu} is the exact erf form; {@code gelu_new} and
     * {@code gelu_pytorch_tanh} are the tanh approximation that Google's original BERT uses.
     */
    public static final List<String> HIDDEN_ACTS = List.of("gelu", "gelu_new", "gelu_pytorch_tanh");

    /** True for the tanh form of GELU. */
    public boolean tanhGelu() { return !hiddenAct.equals("gelu"); }

    public int headDim() { return hiddenSize / numAttentionHeads; }

    public boolean isXlmRoberta() { return modelType.equals("xlm-roberta") || modelType.equals("roberta"); }

    /** Heads kept in a layer (config heads minus pruned ones). */
    public int headsInLayer(int layer) {
        return numAttentionHeads - prunedHeads.getOrDefault(layer, List.of()).size();
    }

    public static EncoderConfig read(Path file) {
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new HeadlensException(file + ": not readable JSON: " + e.getMessage(), e);
        }
        if (!(n instanceof ObjectNode o)) throw new HeadlensException(file + ": expected a JSON object");
        return fromJson(o, file.toString());
    }

    public static EncoderConfig fromJson(ObjectNode o, String source) {
        String type = text(o, "model_type", source);
        if (!List.of("bert", "xlm-roberta", "roberta").contains(type))
            throw new HeadlensException(source + ": model_type '" + type + "' is not supported (bert, xlm-roberta)");
        boolean xlmr = !type.equals("bert");
        Map<Integer, List<Integer>> pruned = new TreeMap<>();
        JsonNode p = o.get("pruned_heads");
        if (p != null && p.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
                var e = it.next();
                List<Integer> heads = new ArrayList<>();
                for (JsonNode h : e.getValue()) heads.add(h.asInt());
                heads.sort(null);
                pruned.put(Integer.parseInt(e.getKey()), List.copyOf(heads));
            }
        }
        EncoderConfig c = new EncoderConfig(type,
                integer(o, "vocab_size", source),
                integer(o, "hidden_size", source),
                integer(o, "num_hidden_layers", source),
                integer(o, "num_attention_heads", source),
                integer(o, "intermediate_size", source),
                o.path("hidden_act").asText("gelu"),
                integer(o, "max_position_embeddings", source),
                o.path("type_vocab_size").asInt(xlmr ? 1 : 2),
                o.path("layer_norm_eps").asDouble(xlmr ? 1e-5 : 1e-12),
                o.path("pad_token_id").asInt(xlmr ? 1 : 0),
                o.path("hidden_dropout_prob").asDouble(0.1),
                o.path("attention_probs_dropout_prob").asDouble(0.1),
                pruned, o.deepCopy());
        if (c.hiddenSize % c.numAttentionHeads != 0)
            throw new HeadlensException(source + ": hidden_size " + c.hiddenSize + " is not a multiple of num_attention_heads " + c.numAttentionHeads);
        if (!HIDDEN_ACTS.contains(c.hiddenAct))
            throw new HeadlensException(source + ": hidden_act '" + c.hiddenAct + "' is not supported; supported: " + String.join(", ", HIDDEN_ACTS));
        return c;
    }

    /** The JSON to write back: the original object with our fields (pruned_heads included) updated. */
    public ObjectNode toJson() {
        ObjectNode o = raw.deepCopy();
        o.put("model_type", modelType);
        o.put("vocab_size", vocabSize);
        o.put("hidden_size", hiddenSize);
        o.put("num_hidden_layers", numHiddenLayers);
        o.put("num_attention_heads", numAttentionHeads);
        o.put("intermediate_size", intermediateSize);
        o.put("hidden_act", hiddenAct);
        o.put("max_position_embeddings", maxPositionEmbeddings);
        o.put("type_vocab_size", typeVocabSize);
        o.put("layer_norm_eps", layerNormEps);
        o.put("pad_token_id", padTokenId);
        ObjectNode ph = o.putObject("pruned_heads");
        prunedHeads.forEach((l, hs) -> {
            if (!hs.isEmpty()) {
                ArrayNode a = ph.putArray(String.valueOf(l));
                hs.forEach(a::add);
            }
        });
        return o;
    }

    /** The same model computing another activation (one of {@link #HIDDEN_ACTS}). */
    public EncoderConfig withHiddenAct(String act) {
        ObjectNode o = toJson();
        o.put("hidden_act", act);
        return fromJson(o, "hidden_act override");
    }

    public EncoderConfig withPrunedHeads(Map<Integer, List<Integer>> pruned) {
        return new EncoderConfig(modelType, vocabSize, hiddenSize, numHiddenLayers, numAttentionHeads, intermediateSize,
                hiddenAct, maxPositionEmbeddings, typeVocabSize, layerNormEps, padTokenId, hiddenDropoutProb,
                attentionProbsDropoutProb, new TreeMap<>(pruned), raw);
    }

    private static int integer(ObjectNode o, String field, String source) {
        JsonNode v = o.get(field);
        if (v == null || !v.canConvertToInt() || v.asInt() <= 0)
            throw new HeadlensException(source + ": field '" + field + "' missing or not a positive integer");
        return v.asInt();
    }

    private static String text(ObjectNode o, String field, String source) {
        JsonNode v = o.get(field);
        if (v == null || !v.isTextual()) throw new HeadlensException(source + ": field '" + field + "' missing or not a string");
        return v.asText();
    }
}
