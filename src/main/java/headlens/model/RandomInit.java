package headlens.model;

import headlens.config.EncoderConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * HuggingFace's initialisation for a config (Linear/Embedding weights N(0, 0.02), biases 0, LayerNorm 1 and 0):
 * for benchmarks and tests of model shapes whose pretrained weights are not available offline (e.g. BERT-base).
 */
public final class RandomInit {
    private RandomInit() {}

    public static Map<String, INDArray> weights(EncoderConfig c, long seed) {
        Random rng = Nd4j.getRandomFactory().getNewRandomInstance(seed);
        Map<String, INDArray> w = new LinkedHashMap<>();
        int hidden = c.hiddenSize(), d = c.headDim();
        w.put("embeddings.word_embeddings.weight", normal(rng, c.vocabSize(), hidden));
        w.put("embeddings.position_embeddings.weight", normal(rng, c.maxPositionEmbeddings(), hidden));
        w.put("embeddings.token_type_embeddings.weight", normal(rng, c.typeVocabSize(), hidden));
        layerNorm(w, "embeddings.LayerNorm", hidden);
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            String p = "encoder.layer." + l + ".";
            int inner = c.headsInLayer(l) * d;
            for (String n : new String[]{"query", "key", "value"}) linear(w, rng, p + "attention.self." + n, inner, hidden);
            linear(w, rng, p + "attention.output.dense", hidden, inner);
            layerNorm(w, p + "attention.output.LayerNorm", hidden);
            linear(w, rng, p + "intermediate.dense", c.intermediateSize(), hidden);
            linear(w, rng, p + "output.dense", hidden, c.intermediateSize());
            layerNorm(w, p + "output.LayerNorm", hidden);
        }
        return w;
    }

    private static INDArray normal(Random rng, long... shape) {
        return rng.nextGaussian(shape).muli(0.02).castTo(DataType.FLOAT);
    }

    private static void linear(Map<String, INDArray> w, Random rng, String name, int out, int in) {
        w.put(name + ".weight", normal(rng, out, in));
        w.put(name + ".bias", Nd4j.zeros(DataType.FLOAT, out));
    }

    private static void layerNorm(Map<String, INDArray> w, String name, int n) {
        w.put(name + ".weight", Nd4j.ones(DataType.FLOAT, n));
        w.put(name + ".bias", Nd4j.zeros(DataType.FLOAT, n));
    }
}
