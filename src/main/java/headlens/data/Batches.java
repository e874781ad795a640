package headlens.data;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Length-bucketed batching: examples of similar length share a batch so padding stays small. Training order: a seeded
 * shuffle, then pools of {@value #POOL_BATCHES} batches are sorted by length and cut into batches, and the batches are
 * shuffled again. Deterministic given the seed.
 */
public final class Batches {
    static final int POOL_BATCHES = 50;

    private Batches() {}

    /** Shuffled, length-bucketed training batches. */
    public static List<Batch> shuffled(List<Example> examples, int batchSize, int padId, long seed) {
        checkSize(batchSize);
        Random rnd = new Random(seed);
        List<Example> order = new ArrayList<>(examples);
        Collections.shuffle(order, rnd);
        List<List<Example>> groups = new ArrayList<>();
        int pool = batchSize * POOL_BATCHES;
        for (int p = 0; p < order.size(); p += pool) {
            List<Example> chunk = new ArrayList<>(order.subList(p, Math.min(order.size(), p + pool)));
            chunk.sort(Comparator.comparingInt(Example::length)); // stable: ties keep the shuffled order
            groups.addAll(cut(chunk, batchSize));
        }
        Collections.shuffle(groups, rnd);
        return groups.stream().map(g -> pad(g, padId)).toList();
    }

    /**
     * Evaluation batches: sorted by length (stable), no shuffling; map rows back through {@link Batch#examples()}. Each
     * batch is padded when read, so a caller going through them holds one batch's arrays at a time.
     */
    public static List<Batch> sorted(List<Example> examples, int batchSize, int padId) {
        checkSize(batchSize);
        List<Example> order = new ArrayList<>(examples);
        order.sort(Comparator.comparingInt(Example::length));
        List<List<Example>> groups = cut(order, batchSize);
        return new AbstractList<>() {
            @Override public Batch get(int i) { return pad(groups.get(i), padId); }
            @Override public int size() { return groups.size(); }
        };
    }

    /** Pads examples to their longest and builds the attention mask. */
    public static Batch pad(List<Example> group, int padId) {
        int len = 0;
        for (Example e : group) len = Math.max(len, e.length());
        int rows = group.size();
        int[][] ids = new int[rows][len];
        int[][] mask = new int[rows][len];
        int[][] labels = new int[rows][len];
        for (int r = 0; r < rows; r++) {
            Example e = group.get(r);
            Arrays.fill(ids[r], padId);
            Arrays.fill(labels[r], FeatureBuilder.IGNORE);
            System.arraycopy(e.inputIds(), 0, ids[r], 0, e.length());
            System.arraycopy(e.labelIds(), 0, labels[r], 0, e.length());
            Arrays.fill(mask[r], 0, e.length(), 1);
        }
        return new Batch(ids, mask, labels, List.copyOf(group));
    }

    private static List<List<Example>> cut(List<Example> list, int batchSize) {
        List<List<Example>> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i += batchSize) out.add(list.subList(i, Math.min(list.size(), i + batchSize)));
        return out;
    }

    private static void checkSize(int batchSize) {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
}
