package headlens.tagger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import headlens.config.EncoderConfig;
import headlens.convert.ModelFiles;
import headlens.core.HeadlensException;
import headlens.data.LabelMap;
import headlens.eval.Task;
import headlens.model.Encoder;
import headlens.model.HeadMask;
import headlens.model.ModelSource;
import headlens.tokenize.Tokenizer;
import headlens.tokenize.Tokenizers;
import headlens.train.TokenClassifier;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A fine-tuned tagger's model directory (RUN_DIR, or a pruned copy of one): {@code config.json} with {@code
 * id2label}/{@code label2id} and {@value #TASK_FIELD}, {@code model.safetensors} with {@code classifier.weight/bias},
 * the base model's tokenizer files, and optionally {@link HeadMask#FILE}. Loaded once here for {@code eval}, {@code
 * predict}, {@code importance} and the sweep's ranking; written by {@link #write} (through {@link ModelDir}).
 *
 * @param labels the labels of {@code id2label}, by id
 * @param task   {@value #TASK_FIELD}, or the task the labels suggest when the config has none ({@link Task#of})
 */
public record TaggerDir(Path dir, ModelSource source, LabelMap labels, Task task, Tokenizer tokenizer, HeadMask mask) {
    public static final String TASK_FIELD = "headlens_task";

    public static TaggerDir load(Path dir) {
        ModelSource src = ModelSource.load(dir);
        LabelMap labels = labels(src.config(), dir);
        if (!src.weights().containsKey(TokenClassifier.WEIGHT))
            throw new HeadlensException(dir.resolve(ModelFiles.WEIGHTS) + ": tensor '" + TokenClassifier.WEIGHT + "' is missing");
        JsonNode t = src.config().raw().get(TASK_FIELD);
        Task task = Task.of(t == null || t.isNull() ? null : t.asText(), labels, dir.resolve(ModelFiles.CONFIG) + ": " + TASK_FIELD);
        return new TaggerDir(dir, src, labels, task, Tokenizers.load(dir), HeadMask.read(dir, src.config()));
    }

    public EncoderConfig config() { return source.config(); }

    /** The classifier with the directory's head mask applied (gates 0). */
    public TokenClassifier classifier(Encoder.Options options) {
        TokenClassifier c = TokenClassifier.create(config(), source.weights(), labels.size(), options, 0);
        mask.apply(c.encoder());
        return c;
    }

    /** An inference tagger: windows of at most {@code maxLength} tokens (capped by the model's positions). */
    public Tagger tagger(int maxLength, int stride, int batchSize) {
        return new Tagger(classifier(Encoder.Options.INFERENCE), tokenizer, labels, task, Tagger.fitLength(maxLength, config()), stride, batchSize);
    }

    /** The labels of {@code id2label} (ids 0..n-1, each a string); {@code dir} names the file in errors. */
    public static LabelMap labels(EncoderConfig cfg, Path dir) {
        Path file = dir.resolve(ModelFiles.CONFIG);
        JsonNode id2label = cfg.raw().get("id2label");
        if (id2label == null || !id2label.isObject() || id2label.isEmpty())
            throw new HeadlensException(file + ": no id2label (not a fine-tuned tagger; train one with `headlens train`)");
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < id2label.size(); i++) {
            JsonNode l = id2label.get(String.valueOf(i));
            if (l == null || !l.isTextual()) throw new HeadlensException(file + ": id2label has no label for id " + i);
            labels.add(l.asText());
        }
        try {
            return new LabelMap(labels);
        } catch (HeadlensException e) {
            throw new HeadlensException(file + ": id2label: " + e.getMessage(), e);
        }
    }

    /** A tagger's config: the base encoder's, with id2label/label2id, {@value #TASK_FIELD} and HuggingFace's architecture. */
    public static EncoderConfig config(EncoderConfig base, LabelMap labels, Task task, Path dir) {
        ObjectNode json = base.toJson();
        ObjectNode id2label = json.putObject("id2label"), label2id = json.putObject("label2id");
        for (int i = 0; i < labels.size(); i++) {
            id2label.put(String.valueOf(i), labels.label(i));
            label2id.put(labels.label(i), i);
        }
        json.put(TASK_FIELD, task.id());
        json.putArray("architectures").add(base.isXlmRoberta() ? "XLMRobertaForTokenClassification" : "BertForTokenClassification");
        return EncoderConfig.fromJson(json, dir.resolve(ModelFiles.CONFIG).toString());
    }

    /** Writes a tagger's model files into {@code dir} (a RUN_DIR keeps its checkpoint and logs beside them). */
    public static void write(Path dir, EncoderConfig base, TokenClassifier model, LabelMap labels, Task task, List<Path> tokenizerFiles) {
        ModelDir.write(dir, config(base, labels, task, dir), model.encoder().weights(), tokenizerFiles, HeadMask.NONE);
    }
}
