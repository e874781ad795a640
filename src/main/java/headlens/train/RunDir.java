package headlens.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import headlens.cli.HeadlensException;
import headlens.convert.ModelFiles;
import headlens.convert.Tensor;
import headlens.data.LabelMap;
import headlens.model.Encoder;
import headlens.model.EncoderConfig;
import headlens.model.ModelSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A fine-tuning run directory is itself a model directory: {@code config.json} with {@code id2label}/{@code label2id}
 * (and {@code headlens_task}), {@code model.safetensors} with {@code classifier.weight/bias}, the base model's tokenizer
 * files; next to them {@code checkpoint/} and {@code logs/}.
 */
public final class RunDir {
    public static final String TASK_FIELD = "headlens_task";

    private RunDir() {}

    /** Writes the model files of a tagger (each file atomically). */
    public static void writeModel(Path runDir, EncoderConfig base, TokenClassifier model, LabelMap labels, String task,
                                  List<Path> tokenizerFiles) {
        ObjectNode json = base.toJson();
        ObjectNode id2label = json.putObject("id2label"), label2id = json.putObject("label2id");
        for (int i = 0; i < labels.size(); i++) {
            id2label.put(String.valueOf(i), labels.label(i));
            label2id.put(labels.label(i), i);
        }
        json.put(TASK_FIELD, task);
        json.putArray("architectures").add(base.isXlmRoberta() ? "XLMRobertaForTokenClassification" : "BertForTokenClassification");
        EncoderConfig cfg = EncoderConfig.fromJson(json, runDir.resolve(ModelFiles.CONFIG).toString());
        List<Tensor> tensors = new ArrayList<>();
        for (Map.Entry<String, INDArray> e : model.encoder().weights().entrySet()) {
            INDArray a = e.getValue();
            tensors.add(Tensor.ofFloats(e.getKey(), a.shape(), a.castTo(DataType.FLOAT).dup('c').data().asFloat()));
        }
        ModelFiles.write(runDir, cfg, tensors, tokenizerFiles);
    }

    /** A tagger loaded from a run (or any model directory with {@code id2label} and a classifier). */
    public record Loaded(ModelSource source, TokenClassifier model, LabelMap labels, String task) {}

    public static Loaded load(Path dir, Encoder.Options options) {
        ModelSource src = ModelSource.load(dir);
        JsonNode id2label = src.config().raw().get("id2label");
        if (id2label == null || !id2label.isObject() || id2label.isEmpty())
            throw new HeadlensException(dir.resolve(ModelFiles.CONFIG) + ": no id2label (not a fine-tuned tagger; train one with `headlens train`)");
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < id2label.size(); i++) {
            JsonNode l = id2label.get(String.valueOf(i));
            if (l == null || !l.isTextual())
                throw new HeadlensException(dir.resolve(ModelFiles.CONFIG) + ": id2label has no label for id " + i);
            labels.add(l.asText());
        }
        if (!src.weights().containsKey(TokenClassifier.WEIGHT))
            throw new HeadlensException(dir.resolve(ModelFiles.WEIGHTS) + ": tensor '" + TokenClassifier.WEIGHT + "' is missing");
        TokenClassifier tc = TokenClassifier.create(src.config(), src.weights(), labels.size(), options, 0);
        headlens.heads.HeadMask.read(dir, src.config()).apply(tc.encoder());   // heads pruned by mask (head_mask.json)
        String task = src.config().raw().path(TASK_FIELD).asText("ner");
        return new Loaded(src, tc, new LabelMap(labels), task);
    }
}
