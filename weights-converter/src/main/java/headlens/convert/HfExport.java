package headlens.convert;

import com.fasterxml.jackson.databind.node.ObjectNode;
import headlens.config.EncoderConfig;
import headlens.core.AtomicFiles;
import headlens.core.HeadlensException;
import headlens.core.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a headlens model or run directory as a HuggingFace-loadable directory: {@code config.json} with
 * {@code architectures} ({@code BertForTokenClassification}/{@code XLMRobertaForTokenClassification} when the run has
 * a classifier, else {@code BertModel}/{@code XLMRobertaModel}), {@code id2label}, {@code label2id},
 * {@code pruned_heads}; {@code model.safetensors} with the {@code bert.}/{@code roberta.} prefix and
 * {@code classifier.*} unprefixed; the tokenizer files.
 */
public final class HfExport {
    private HfExport() {}

    public record Report(Path to, String architecture, int tensors) {}

    public static Report export(Path runDir, Path hfDir) {
        EncoderConfig cfg = ModelFiles.readConfig(runDir);
        Map<String, Tensor> w = ModelFiles.readWeights(runDir, cfg);
        boolean tagger = w.containsKey("classifier.weight");
        boolean xlmr = cfg.isXlmRoberta();
        String prefix = xlmr ? "roberta." : "bert.";
        String arch = (xlmr ? "XLMRoberta" : "Bert") + (tagger ? "ForTokenClassification" : "Model");
        if (tagger && ModelFiles.numLabels(cfg) == 0) throw new HeadlensException(runDir.resolve(ModelFiles.CONFIG) + ": classifier weights but no id2label");
        List<Tensor> out = new ArrayList<>();
        for (Tensor t : w.values()) {
            if (t.name().startsWith("classifier.")) out.add(t);
            else if (t.name().startsWith("pooler.") && tagger) continue;   // *ForTokenClassification has no pooler
            else out.add(t.withName(prefix + t.name()));
        }
        ObjectNode json = cfg.toJson();
        json.putArray("architectures").add(arch);
        if (tagger && !json.has("label2id")) {
            ObjectNode l2i = json.putObject("label2id");
            json.get("id2label").fields().forEachRemaining(e -> l2i.put(e.getValue().asText(), Integer.parseInt(e.getKey())));
        }
        try {
            Files.createDirectories(hfDir);
            Safetensors.write(hfDir.resolve(ModelFiles.WEIGHTS), out, Map.of("format", "pt"));
            AtomicFiles.writeBytes(hfDir.resolve(ModelFiles.CONFIG), Json.INDENTED.writeValueAsBytes(json));
            for (Path f : ModelFiles.tokenizerFiles(runDir)) AtomicFiles.copy(f, hfDir.resolve(f.getFileName().toString()));
        } catch (IOException e) {
            throw new HeadlensException(hfDir + ": cannot write: " + e.getMessage(), e);
        }
        return new Report(hfDir, arch, out.size());
    }
}
