package headlens.model;

import headlens.config.EncoderConfig;
import headlens.core.HeadlensException;

import java.util.List;
import java.util.stream.IntStream;

/**
 * Where the original heads of a (possibly physically pruned) model sit now: layer l keeps its original heads
 * minus {@code pruned_heads[l]}, in ascending order, so gate column i of layer l is the i-th kept head.
 */
public final class HeadLayout {
    private HeadLayout() {}

    /** Original indices of the heads a layer still has, ascending. */
    public static int[] kept(EncoderConfig cfg, int layer) {
        List<Integer> pruned = cfg.prunedHeads().getOrDefault(layer, List.of());
        return IntStream.range(0, cfg.numAttentionHeads()).filter(h -> !pruned.contains(h)).toArray();
    }

    /** Gate column of an original head, or -1 when it was physically pruned. */
    public static int column(EncoderConfig cfg, HeadId id) {
        check(cfg, id);
        int[] k = kept(cfg, id.layer());
        for (int i = 0; i < k.length; i++) if (k[i] == id.head()) return i;
        return -1;
    }

    public static void check(EncoderConfig cfg, HeadId id) {
        if (id.layer() >= cfg.numHiddenLayers() || id.head() >= cfg.numAttentionHeads())
            throw new HeadlensException("head " + id + " does not exist: the model has " + cfg.numHiddenLayers()
                    + " layers (0.." + (cfg.numHiddenLayers() - 1) + ") × " + cfg.numAttentionHeads() + " heads (0.."
                    + (cfg.numAttentionHeads() - 1) + ")");
    }

    public static int totalHeads(EncoderConfig cfg) {
        int n = 0;
        for (int l = 0; l < cfg.numHiddenLayers(); l++) n += cfg.headsInLayer(l);
        return n;
    }
}
