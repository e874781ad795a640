package headlens.heads;

import headlens.config.EncoderConfig;
import headlens.core.HeadlensException;
import headlens.model.HeadId;
import headlens.model.HeadLayout;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Physical head pruning on a weight map, with HuggingFace's semantics ({@code BertAttention.prune_heads}): heads are
 * named by ORIGINAL index; those already in {@code pruned_heads} are skipped; the d rows of each removed head leave
 * query/key/value weight [h·d, H] and bias [h·d], its d columns leave the attention output dense weight [H, h·d], and
 * {@code pruned_heads} becomes the union. A layer may lose every head (its tensors become [0, H], [0], [H, 0]; the
 * attention block then adds only the output dense bias, as in HuggingFace).
 */
public final class HeadPruner {
    private static final Pattern KEY = Pattern.compile(
            "^(.*?)encoder\\.layer\\.(\\d+)\\.attention\\.(self\\.query|self\\.key|self\\.value|output\\.dense)\\.(weight|bias)$");

    public record Pruned(EncoderConfig config, Map<String, INDArray> weights) {}

    private HeadPruner() {}

    public static Pruned prune(EncoderConfig cfg, Map<String, INDArray> weights, Collection<HeadId> heads) {
        for (HeadId id : heads) HeadLayout.check(cfg, id);
        String prefix = prefix(weights);
        Map<Integer, TreeSet<Integer>> byLayer = new TreeMap<>();
        for (HeadId id : heads)
            if (HeadLayout.column(cfg, id) >= 0) byLayer.computeIfAbsent(id.layer(), k -> new TreeSet<>()).add(id.head());
        Map<String, INDArray> out = new LinkedHashMap<>(weights);
        Map<Integer, List<Integer>> pruned = new TreeMap<>(cfg.prunedHeads());
        int d = cfg.headDim(), hidden = cfg.hiddenSize();
        for (var e : byLayer.entrySet()) {
            int l = e.getKey();
            int[] kept = HeadLayout.kept(cfg, l);
            List<Integer> keepRows = new ArrayList<>();   // rows of the current [h·d, H] tensors that stay
            for (int c = 0; c < kept.length; c++)
                if (!e.getValue().contains(kept[c])) for (int j = 0; j < d; j++) keepRows.add(c * d + j);
            int[] rows = keepRows.stream().mapToInt(Integer::intValue).toArray();
            String p = prefix + "encoder.layer." + l + ".attention.";
            for (String n : List.of("self.query", "self.key", "self.value")) {
                out.put(p + n + ".weight", rows(require(weights, p + n + ".weight", kept.length * d, hidden), rows, hidden));
                out.put(p + n + ".bias", rows(require(weights, p + n + ".bias", kept.length * d), rows, -1));
            }
            INDArray o = require(weights, p + "output.dense.weight", hidden, kept.length * d);
            out.put(p + "output.dense.weight", rows.length == 0 ? Nd4j.create(o.dataType(), hidden, 0)
                    : o.get(NDArrayIndex.all(), NDArrayIndex.indices(Arrays.stream(rows).asLongStream().toArray())).dup('c'));
            TreeSet<Integer> union = new TreeSet<>(pruned.getOrDefault(l, List.of()));
            union.addAll(e.getValue());
            pruned.put(l, List.copyOf(union));
        }
        return new Pruned(cfg.withPrunedHeads(pruned), out);
    }

    /** The key prefix in front of "encoder.layer." ("" or e.g. "bert."), taken from the first matching key. */
    static String prefix(Map<String, INDArray> weights) {
        for (String k : weights.keySet()) {
            Matcher m = KEY.matcher(k);
            if (m.matches()) return m.group(1);
        }
        throw new HeadlensException("weights: no tensor named like 'encoder.layer.N.attention.self.query.weight'");
    }

    private static INDArray rows(INDArray a, int[] rows, int cols) {
        if (rows.length == 0) return cols < 0 ? Nd4j.create(a.dataType(), 0) : Nd4j.create(a.dataType(), 0, cols);
        if (cols < 0) return a.get(NDArrayIndex.indices(Arrays.stream(rows).asLongStream().toArray())).dup('c');
        return a.getRows(rows).dup('c');
    }

    private static INDArray require(Map<String, INDArray> w, String name, long... shape) {
        INDArray a = w.get(name);
        if (a == null) throw new HeadlensException("weights: tensor '" + name + "' is missing");
        if (!Arrays.equals(a.shape(), shape))
            throw new HeadlensException("weights: tensor '" + name + "' has shape " + Arrays.toString(a.shape())
                    + ", expected " + Arrays.toString(shape) + " from config.json (pruned_heads included)");
        return a;
    }

    /**
     * Multiply-adds ×2 per token of the encoder layers for a sequence of length t: Q/K/V and output projections,
     * scores and context (4·t·h·d), and the feed-forward block. Embeddings and layer norms are left out.
     */
    public static double flopsPerToken(EncoderConfig cfg, int t) {
        double f = 0;
        int hidden = cfg.hiddenSize(), d = cfg.headDim();
        for (int l = 0; l < cfg.numHiddenLayers(); l++) {
            int hd = cfg.headsInLayer(l) * d;
            f += 2.0 * 4 * hidden * hd + 4.0 * t * hd + 4.0 * hidden * cfg.intermediateSize();
        }
        return f;
    }

}
