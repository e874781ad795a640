package headlens.data;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BatchesTest {
    private static List<Example> examples(int n, long seed) {
        Random rnd = new Random(seed);
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int len = 3 + rnd.nextInt(60);
            int[] ids = new int[len], labels = new int[len], wordOf = new int[len];
            Arrays.fill(ids, 7 + i);
            Arrays.fill(labels, i % 5);
            Arrays.fill(wordOf, -1);
            out.add(new Example(i, 0, ids, labels, wordOf, 0, 1, 0, 1));
        }
        return out;
    }

    private static List<Integer> order(List<Batch> batches) {
        List<Integer> out = new ArrayList<>();
        for (Batch b : batches) for (Example e : b.examples()) out.add(e.sentence());
        return out;
    }

    @Test
    void padsAndMasks() {
        List<Example> ex = examples(3, 1);
        Batch b = Batches.pad(ex, 0);
        int len = ex.stream().mapToInt(Example::length).max().orElseThrow();
        assertEquals(len, b.length());
        for (int r = 0; r < 3; r++) {
            int n = ex.get(r).length();
            for (int t = 0; t < len; t++) {
                assertEquals(t < n ? 1 : 0, b.attentionMask()[r][t]);
                assertEquals(t < n ? 7 + r : 0, b.inputIds()[r][t]);
                assertEquals(t < n ? r % 5 : FeatureBuilder.IGNORE, b.labelIds()[r][t]);
            }
        }
        assertEquals(ex.stream().mapToInt(Example::length).sum(), b.tokens());
    }

    @Test
    void shuffledIsDeterministicCompleteAndBucketed() {
        List<Example> ex = examples(1000, 2);
        List<Batch> a = Batches.shuffled(ex, 16, 0, 123);
        List<Batch> b = Batches.shuffled(ex, 16, 0, 123);
        assertEquals(order(a), order(b));
        assertNotEquals(order(a), order(Batches.shuffled(ex, 16, 0, 124)));
        Set<Integer> seen = new HashSet<>(order(a));
        assertEquals(1000, seen.size());
        assertEquals(1000, order(a).size());
        assertEquals(63, a.size()); // ceil(1000 / 16)
        // bucketing: padding is far below that of plain random batches of the same size
        long padBucketed = a.stream().mapToLong(x -> (long) x.rows() * x.length() - x.tokens()).sum();
        List<Example> shuffled = new ArrayList<>(ex);
        java.util.Collections.shuffle(shuffled, new Random(5));
        long padRandom = 0;
        for (int i = 0; i < shuffled.size(); i += 16) {
            Batch x = Batches.pad(shuffled.subList(i, Math.min(shuffled.size(), i + 16)), 0);
            padRandom += (long) x.rows() * x.length() - x.tokens();
        }
        assertTrue(padBucketed * 5 < padRandom, padBucketed + " vs " + padRandom);
    }

    @Test
    void sortedForEvaluation() {
        List<Example> ex = examples(50, 3);
        List<Batch> batches = Batches.sorted(ex, 8, 0);
        int prev = 0;
        for (Batch b : batches) for (Example e : b.examples()) { assertTrue(e.length() >= prev); prev = e.length(); }
        assertEquals(50, new HashSet<>(order(batches)).size());
        assertArrayEquals(new int[]{8, 8, 8, 8, 8, 8, 2}, batches.stream().mapToInt(Batch::rows).toArray());
    }
}
