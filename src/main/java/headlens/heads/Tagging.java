package headlens.heads;

import com.fasterxml.jackson.databind.JsonNode;
import headlens.config.EncoderConfig;
import headlens.core.HeadlensException;
import headlens.data.Batch;
import headlens.data.Batches;
import headlens.data.DataReaders;
import headlens.data.Dataset;
import headlens.data.Example;
import headlens.data.FeatureBuilder;
import headlens.data.LabelMap;
import headlens.data.ReadOptions;
import headlens.data.Sentence;
import headlens.eval.Report;
import headlens.model.Encoder;
import headlens.model.HeadMask;
import headlens.model.ModelSource;
import headlens.tokenize.Tokenizer;
import headlens.tokenize.Tokenizers;
import headlens.train.TokenClassifier;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A fine-tuned tagger (RUN_DIR: model directory + {@code id2label} in config.json + {@code classifier.*} weights + an
 * optional {@link HeadMask}) and the glue from sentences to batches, predictions and scores used by importance,
 * pruning and sweeps.
 */
public final class Tagging {
    private Tagging() {}

    /** A loaded tagger or pretrained encoder; {@code labels} is null for a model without {@code id2label}. */
    public record Model(Path dir, EncoderConfig config, Map<String, INDArray> weights, LabelMap labels, Tokenizer tokenizer, HeadMask mask) {
        public TokenClassifier classifier(Encoder.Options options) {
            if (labels == null) throw new HeadlensException(dir + "/config.json: no id2label (is this a fine-tuned tagger's RUN_DIR?)");
            if (!weights.containsKey(TokenClassifier.WEIGHT))
                throw new HeadlensException(dir + "/model.safetensors: no '" + TokenClassifier.WEIGHT + "' (is this a fine-tuned tagger's RUN_DIR?)");
            TokenClassifier c = TokenClassifier.create(config, weights, labels.size(), options, 0);
            mask.apply(c.encoder());
            return c;
        }

        public int padId() { return config.padTokenId(); }
    }

    public static Model load(Path dir) {
        ModelSource src = ModelSource.load(dir);
        return new Model(dir, src.config(), src.weights(), labels(src.config()), Tokenizers.load(dir), HeadMask.read(dir, src.config()));
    }

    /** The labels of {@code id2label}, by id; null when the config has none. */
    public static LabelMap labels(EncoderConfig cfg) {
        JsonNode n = cfg.raw().get("id2label");
        if (n == null || !n.isObject() || n.isEmpty()) return null;
        TreeMap<Integer, String> byId = new TreeMap<>();
        n.fields().forEachRemaining(e -> {
            try {
                byId.put(Integer.parseInt(e.getKey()), e.getValue().asText());
            } catch (NumberFormatException ex) {
                throw new HeadlensException("config.json: id2label key '" + e.getKey() + "' is not an integer");
            }
        });
        if (byId.firstKey() != 0 || byId.lastKey() != byId.size() - 1)
            throw new HeadlensException("config.json: id2label ids must be 0.." + (byId.size() - 1));
        return new LabelMap(new ArrayList<>(byId.values()));
    }

    public static List<Sentence> read(Path file, int maxSentences) {
        Dataset d = DataReaders.read(file, headlens.data.Format.AUTO, ReadOptions.defaults().withMaxSentences(maxSentences));
        if (d.sentences().isEmpty()) throw new HeadlensException(file + ": no sentences");
        return d.sentences();
    }

    public static List<Example> features(Model m, LabelMap labels, List<Sentence> sentences, int maxLength) {
        return new FeatureBuilder(m.tokenizer(), labels, maxLength, Math.min(32, (maxLength - 4) / 4)).build(sentences);
    }

    /** Labelled batches for importance scoring (sorted by length). */
    public static List<HeadImportance.Example> importanceBatches(List<Example> features, int batchSize, int padId) {
        List<HeadImportance.Example> r = new ArrayList<>();
        for (Batch b : Batches.sorted(features, batchSize, padId))
            r.add(new HeadImportance.Example(new Encoder.Batch(b.inputIds(), b.attentionMask()), b.labelIds()));
        return r;
    }

    /** Trainer examples (ids + labels per window). */
    public static List<Example> trainExamples(List<Example> features) {
        return List.copyOf(features);
    }

    /** One predicted label per word of every sentence (argmax of the logits at each word's first sub-token). */
    public static List<List<String>> predict(TokenClassifier clf, LabelMap labels, List<Sentence> sentences,
                                             List<Example> features, int batchSize, int padId) {
        String[][] pred = new String[sentences.size()][];
        for (int i = 0; i < pred.length; i++) {
            pred[i] = new String[sentences.get(i).size()];
            Arrays.fill(pred[i], labels.label(0));
        }
        for (Batch b : Batches.sorted(features, batchSize, padId)) {
            INDArray logits = clf.logits(new Encoder.Batch(b.inputIds(), b.attentionMask()));   // [B, T, C]
            INDArray arg = logits.argMax(2);                                                     // [B, T]
            for (int r = 0; r < b.rows(); r++) {
                Example e = b.examples().get(r);
                for (int t = 0; t < e.length(); t++)
                    if (e.wordOf()[t] >= 0) pred[e.sentence()][e.wordOf()[t]] = labels.label(arg.getInt(r, t));
            }
        }
        List<List<String>> out = new ArrayList<>();
        for (String[] p : pred) out.add(List.of(p));
        return out;
    }

    /** Entity F1 when the labels carry B-/I- prefixes, token accuracy otherwise (POS). */
    public static Report.Kind kind(LabelMap labels) {
        for (String l : labels.labels()) if (l.startsWith("B-") || l.startsWith("I-")) return Report.Kind.ENTITY_F1;
        return Report.Kind.TOKEN_ACCURACY;
    }

    public static Report evaluate(TokenClassifier clf, LabelMap labels, List<Sentence> gold, List<Example> features, int batchSize, int padId) {
        Report.Kind kind = kind(labels);
        return Report.evaluate(kind == Report.Kind.ENTITY_F1 ? "ner" : "pos", kind, null, gold,
                predict(clf, labels, gold, features, batchSize, padId));
    }

    /** The headline number of a report: micro F1 or accuracy. */
    public static double score(Report.Result r) {
        return r.entities() != null ? r.entities().micro().f1() : r.tokens().accuracy();
    }
}
