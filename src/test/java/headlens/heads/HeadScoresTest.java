package headlens.heads;

import headlens.core.HeadlensException;
import headlens.model.HeadId;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class HeadScoresTest {

    /** Reference values: scipy.stats.spearmanr / rankdata 1.17.1 on the same vectors (ties present). */
    @Test
    void spearmanMatchesScipyWithTies() {
        double[] a = {0.1, 0.4, 0.4, 0.9, 0.2, 0.7, 0.0, 0.4}, b = {0.3, 0.1, 0.5, 0.8, 0.2, 0.9, 0.05, 0.5};
        assertEquals(0.8099531445617965, Spearman.rho(a, b), 1e-12);
        assertArrayEquals(new double[]{2, 5, 5, 8, 3, 7, 1, 5}, Spearman.ranks(a), 0);
        assertEquals(1.0, Spearman.rho(new double[]{1, 2, 3}, new double[]{10, 20, 30}), 1e-12);
        assertEquals(-1.0, Spearman.rho(new double[]{1, 2, 3}, new double[]{3, 2, 1}), 1e-12);
    }

    /** Reference: NumPy, r / (‖r_layer‖₂ + 1e-20), then (n - min) / (max - min) (bertology's normalisation). */
    @Test
    void normalisationMatchesNumpy() {
        double[][] raw = {{1, 2, 3, 4}, {0.5, 0, 0.5, 0.1}, {2, 2, 0, 1}};
        double[][] ref = {{0.25, 0.5, 0.75, 1.0}, {0.9587062360592131, 0.0, 0.9587062360592131, 0.19174124721184266},
                {0.9128709291752769, 0.9128709291752769, 0.0, 0.45643546458763845}};
        double[][] n = HeadScores.normalize(raw, false);
        for (int l = 0; l < 3; l++) assertArrayEquals(ref[l], n[l], 1e-12);
    }

    /** The released code's normalisation, by hand: each layer over its L1 sum, then min-max over all heads. */
    @Test
    void l1NormalisationByHand() {
        double[][] raw = {{1, 2, 3, 4}, {0.5, 0, 0.5, 0}};
        // layer 0 / 10 -> .1 .2 .3 .4; layer 1 / 1 -> .5 0 .5 0; min 0, max .5
        HeadScores s = HeadScores.fromRawL1("kv", raw, 1);
        assertArrayEquals(new double[]{0.2, 0.4, 0.6, 0.8}, s.normalized()[0], 1e-12);
        assertArrayEquals(new double[]{1.0, 0.0, 1.0, 0.0}, s.normalized()[1], 1e-12);
    }

    /** By hand: the mean of the three layer pairs' ρ; a layer with a pruned head is left out. */
    @Test
    void betweenLayerRhoByHand() {
        // ranks per layer: (0 1 2 3), (0 1 2 3), (3 2 1 0): rho +1, -1, -1 -> mean -1/3
        double[][] raw = {{1, 2, 3, 4}, {0.1, 0.5, 0.7, 0.9}, {8, 6, 4, 2}, {1, Double.NaN, 2, 3}};
        assertEquals(-1.0 / 3, HeadScores.fromRaw("x", raw, 1).betweenLayerRho(), 1e-12);
        // ranks (1 3 0 2), (2 0 1 3): d = -1 3 -1 -1, sum d^2 = 12, rho = 1 - 6 * 12 / (4 * 15) = -0.2
        assertEquals(-0.2, HeadScores.fromRawL1("kv", new double[][]{{0.2, 0.4, 0.1, 0.3}, {0.5, 0.1, 0.35, 0.6}}, 1).betweenLayerRho(), 1e-12);
        assertTrue(Double.isNaN(HeadScores.fromRaw("one", new double[][]{{1, 2}}, 1).betweenLayerRho()));
    }

    @Test
    void prunedHeadsStayOutOfNormalisationAndRanking() {
        double[][] raw = {{3, Double.NaN, 4, 0}, {1, 1, 1, 1}};   // layer 0 head 1 physically pruned
        HeadScores s = HeadScores.fromRaw("x", raw, 10);
        assertTrue(Double.isNaN(s.normalized()[0][1]));
        // by hand: layer 0 -> (3, 4, 0) / 5, layer 1 -> 1/2 each; global max 0.8, min 0
        assertArrayEquals(new double[]{0.75, Double.NaN, 1.0, 0.0}, s.normalized()[0], 1e-12);
        assertArrayEquals(new double[]{0.625, 0.625, 0.625, 0.625}, s.normalized()[1], 1e-12);
        assertEquals(7, s.ascending().size());
        assertFalse(s.ascending().contains(new HeadId(0, 1)));
        assertEquals(new HeadId(0, 3), s.ascending().get(0));
    }

    @Test
    void selectionOrdersAndBounds() {
        double[][] raw = {{4, 1, 3}, {2, 6, 5}};
        HeadScores s = HeadScores.fromRaw("x", raw, 1);
        // per-layer norms: sqrt(26), sqrt(65) -> normalised order: 0:1 (0.196), 1:0 (0.248), 0:2, 1:2, 0:0, 1:1
        assertEquals(List.of(new HeadId(0, 1), new HeadId(1, 0)), s.select(2, HeadScores.Order.LOWEST, 0));
        assertEquals(List.of(new HeadId(0, 0), new HeadId(1, 1)), s.select(2, HeadScores.Order.HIGHEST, 0));
        assertEquals(s.select(3, HeadScores.Order.RANDOM, 7), s.select(3, HeadScores.Order.RANDOM, 7));
        assertEquals(6, s.select(6, HeadScores.Order.RANDOM, 1).size());
        HeadlensException e = assertThrows(HeadlensException.class, () -> s.select(7, HeadScores.Order.LOWEST, 0));
        assertTrue(e.getMessage().contains("cannot prune 7 heads") && e.getMessage().contains("only 6"), e.getMessage());
    }

    @Test
    void headIdsParseAndComplain() {
        assertEquals(List.of(new HeadId(3, 7), new HeadId(5, 0)), HeadId.parseList("3:7, 5:0"));
        HeadlensException e = assertThrows(HeadlensException.class, () -> HeadId.parseList("3:7,x"));
        assertTrue(e.getMessage().contains("'x'"), e.getMessage());
    }
}
