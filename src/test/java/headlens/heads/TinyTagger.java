package headlens.heads;

import headlens.config.EncoderConfig;
import headlens.io.Npz;
import headlens.model.Encoder;
import headlens.train.TokenClassifier;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** The tiny golden XLM-R checkpoint with a 3-label token classifier, briefly trained by plain SGD on a synthetic task. */
public final class TinyTagger {
    static final Path DIR = Path.of("src/test/resources/golden/tiny-xlmr");
    static final int LABELS = 3;

    public static EncoderConfig config() { return EncoderConfig.read(DIR.resolve("config.json")); }

    public static Map<String, INDArray> encoderWeights() { return Npz.read(DIR.resolve("weights.npz")); }

    /** Synthetic tagging data: label = (id + previous id) mod 3, special tokens and padding ignored. */
    static List<HeadImportance.Example> data(int batches, int batchSize, long seed) {
        Random r = new Random(seed);
        List<HeadImportance.Example> out = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            List<int[]> seqs = new ArrayList<>();
            for (int i = 0; i < batchSize; i++) {
                int n = 3 + r.nextInt(10);
                int[] ids = new int[n];
                ids[0] = 0;
                ids[n - 1] = 2;
                for (int j = 1; j < n - 1; j++) ids[j] = 3 + r.nextInt(117);
                seqs.add(ids);
            }
            Encoder.Batch batch = Encoder.Batch.pad(seqs, 1);
            int[][] labels = new int[batch.size()][batch.length()];
            for (int i = 0; i < batch.size(); i++)
                for (int j = 0; j < batch.length(); j++) {
                    int[] s = seqs.get(i);
                    labels[i][j] = j == 0 || j >= s.length - 1 ? TokenClassifier.IGNORE : (s[j] + s[j - 1]) % LABELS;
                }
            out.add(new HeadImportance.Example(batch, labels));
        }
        return out;
    }

    /** Encoder + classifier weights after a few SGD steps (so the gate gradients are those of a trained tagger). */
    public static Map<String, INDArray> trainedWeights() {
        TokenClassifier clf = TokenClassifier.create(config(), encoderWeights(), LABELS, Encoder.Options.INFERENCE, 5);
        List<String> vars = new ArrayList<>();
        for (SDVariable v : clf.sd().variables())
            if (v.getVariableType() == VariableType.VARIABLE && !v.name().equals(Encoder.HEAD_GATES)) vars.add(v.name());
        List<HeadImportance.Example> train = data(6, 8, 1);
        headlens.model.Gradients.ensure(clf.sd());   // without SameDiff's per-op lines on System.out
        for (int epoch = 0; epoch < 5; epoch++)
            for (HeadImportance.Example ex : train) {
                Map<String, INDArray> g = clf.sd().calculateGradients(clf.feed(ex.batch(), ex.labels(), false), vars);
                for (String v : vars) clf.sd().getVariable(v).getArr().subi(g.get(v).mul(0.1));
            }
        Map<String, INDArray> w = new HashMap<>(clf.encoder().weights());
        w.put(TokenClassifier.WEIGHT, clf.sd().getVariable(TokenClassifier.WEIGHT).getArr().dup());
        w.put(TokenClassifier.BIAS, clf.sd().getVariable(TokenClassifier.BIAS).getArr().dup());
        return w;
    }

    static double loss(TokenClassifier clf, HeadImportance.Example ex) {
        return clf.sd().output(clf.feed(ex.batch(), ex.labels(), false), TokenClassifier.LOSS).get(TokenClassifier.LOSS).getDouble(0);
    }
}
