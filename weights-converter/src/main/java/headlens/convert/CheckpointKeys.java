package headlens.convert;

import com.fasterxml.jackson.databind.JsonNode;
import headlens.config.EncoderConfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps the keys of a HuggingFace checkpoint (BertModel, BertForMaskedLM, BertForTokenClassification, XLMRobertaModel,
 * XLMRobertaForMaskedLM, XLMRobertaForTokenClassification) onto the headlens model-directory keys: the
 * {@code bert.}/{@code roberta.} prefix is stripped, old TF-style LayerNorm {@code gamma}/{@code beta} renamed,
 * buffers ({@code position_ids}, {@code token_type_ids}) ignored, and heads we do not use dropped. Everything else is
 * kept, so that {@link ModelFiles#checkShapes} reports any key left over by name.
 */
public final class CheckpointKeys {
    private CheckpointKeys() {}

    /** Normalized tensors plus what was left out and why. */
    public record Result(Map<String, Tensor> tensors, List<String> droppedHeads, List<String> ignoredBuffers) {}

    private static final List<String> HEAD_PREFIXES = List.of("cls.", "lm_head.", "qa_outputs.");

    public static Result normalize(Map<String, Tensor> in, EncoderConfig cfg) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        List<String> dropped = new ArrayList<>(), buffers = new ArrayList<>();
        boolean keepClassifier = keepsClassifier(cfg);
        for (var e : in.entrySet()) {
            String key = e.getKey();
            String k = key;
            for (String p : List.of("bert.", "roberta.")) if (k.startsWith(p)) { k = k.substring(p.length()); break; }
            if (k.endsWith("position_ids") || k.equals("embeddings.token_type_ids")) { buffers.add(key); continue; }
            if (HEAD_PREFIXES.stream().anyMatch(k::startsWith) || (k.startsWith("classifier.") && !keepClassifier)) {
                dropped.add(key);
                continue;
            }
            if (k.contains("LayerNorm.")) {
                if (k.endsWith(".gamma")) k = k.substring(0, k.length() - 6) + ".weight";
                else if (k.endsWith(".beta")) k = k.substring(0, k.length() - 5) + ".bias";
            }
            if (out.containsKey(k)) throw new headlens.core.HeadlensException("checkpoint has both '" + key + "' and another key mapping to '" + k + "'");
            out.put(k, e.getValue().withName(k));
        }
        return new Result(out, dropped, buffers);
    }

    /**
     * A token classifier head is kept when the config describes one (id2label present and the architecture, if
     * named, is a *ForTokenClassification); other classifiers (sequence classification) are dropped.
     */
    static boolean keepsClassifier(EncoderConfig cfg) {
        if (ModelFiles.numLabels(cfg) == 0) return false;
        JsonNode arch = cfg.raw().get("architectures");
        if (arch == null || !arch.isArray() || arch.isEmpty()) return true;
        for (JsonNode a : arch) if (a.asText().endsWith("ForTokenClassification")) return true;
        return false;
    }
}
