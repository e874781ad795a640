package headlens.model;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** Each SameDiff work-around against a value computed here in double from its definition. */
class SdOpsTest {
    static final int N = 5;

    private final SameDiff sd = SameDiff.create();
    private final SdOps ops = new SdOps(sd);
    private final Map<String, INDArray> feed = new HashMap<>(Map.of(Encoder.ONES, Nd4j.ones(DataType.FLOAT, N, 1)));

    /** Gaussian values, rounded to float so that the references here start from the graph's exact inputs. */
    private static double[][] random(long seed, int rows, int cols, double scale, double offset) {
        Random r = new Random(seed);
        double[][] a = new double[rows][cols];
        for (double[] row : a) for (int j = 0; j < cols; j++) row[j] = (float) (offset + scale * r.nextGaussian());
        return a;
    }

    private static INDArray f32(double[][] a) {
        return Nd4j.createFromArray(a).castTo(DataType.FLOAT);
    }

    private static INDArray f32(double[] a) {
        return Nd4j.createFromArray(a).castTo(DataType.FLOAT);
    }

    private INDArray eval(SDVariable v) {
        return sd.output(feed, v.name()).get(v.name());
    }

    private static void assertClose(double[][] expected, INDArray actual, double tol) {
        assertArrayEquals(new long[]{expected.length, expected[0].length}, actual.shape());
        for (int i = 0; i < expected.length; i++)
            for (int j = 0; j < expected[i].length; j++)
                assertEquals(expected[i][j], actual.getDouble(i, j), tol * Math.max(1, Math.abs(expected[i][j])), "[" + i + ", " + j + "]");
    }

    /** erf by its Maclaurin series (converges for every x; accurate to ~1e-13 for |x| <= 3 in double). */
    static double erf(double x) {
        double term = x, sum = x;
        for (int n = 1; n < 200; n++) {
            term *= -x * x / n;
            sum += term / (2 * n + 1);
        }
        return 2 / Math.sqrt(Math.PI) * sum;
    }

    @Test
    void seriesErfIsRight() { // hand values: erf(0.5) = 0.5204998778, erf(1) = 0.8427007929, erf(2) = 0.9953222650
        assertEquals(0.5204998778, erf(0.5), 1e-9);
        assertEquals(0.8427007929, erf(1), 1e-9);
        assertEquals(-0.9953222650, erf(-2), 1e-9);
    }

    @Test
    void layerNormUsesTheGivenEpsilon() {
        int h = 6;
        double eps = 1e-5;
        double[][] x = random(1, N, h, 3e-3, 2.0);     // variance ~1e-5: eps changes the result by about 1/√2
        double[] gamma = random(2, 1, h, 0.3, 1)[0], beta = random(3, 1, h, 0.3, 0)[0];
        double[][] expected = new double[N][h], noEps = new double[N][h];
        for (int i = 0; i < N; i++) {
            double mean = 0, var = 0;
            for (double v : x[i]) mean += v / h;
            for (double v : x[i]) var += (v - mean) * (v - mean) / h;
            for (int j = 0; j < h; j++) {
                expected[i][j] = (x[i][j] - mean) / Math.sqrt(var + eps) * gamma[j] + beta[j];
                noEps[i][j] = (x[i][j] - mean) / Math.sqrt(var) * gamma[j] + beta[j];
            }
        }
        SDVariable y = ops.layerNorm(sd.constant(f32(x)), sd.var("g", f32(gamma)), sd.var("b", f32(beta)), eps);
        INDArray out = eval(y);
        assertClose(expected, out, 2e-3);   // float32 on inputs near 2 ± 3e-3: the centring loses ~3 digits
        double apart = 0;
        for (int i = 0; i < N; i++) for (int j = 0; j < h; j++) apart = Math.max(apart, Math.abs(noEps[i][j] - out.getDouble(i, j)));
        assertTrue(apart > 0.05, "the epsilon must matter in this check: " + apart);
    }

    @Test
    void geluErfIsExactAndHasTheExactGradient() {
        double[][] x = new double[N][13];
        for (int i = 0; i < N; i++) for (int j = 0; j < 13; j++) x[i][j] = (float) (-3 + 6.0 * (i * 13 + j) / (N * 13 - 1));
        double[][] value = new double[N][13], slope = new double[N][13];
        for (int i = 0; i < N; i++)
            for (int j = 0; j < 13; j++) {
                double v = x[i][j], cdf = 0.5 * (1 + erf(v / Math.sqrt(2)));
                value[i][j] = v * cdf;
                slope[i][j] = cdf + v * Math.exp(-v * v / 2) / Math.sqrt(2 * Math.PI);   // Φ(x) + x·φ(x)
            }
        SDVariable in = sd.var("x", f32(x));
        SDVariable y = ops.geluErf(in);
        assertClose(value, eval(y), 1e-6);
        sd.setLossVariables(y.sum().rename("loss"));
        INDArray grad = Gradients.calculate(sd, feed, List.of("loss"), List.of("x")).getGradients().get("x");
        assertClose(slope, grad, 1e-5);
    }

    @Test
    void geluTanhIsGooglesFormAndNotTheErfForm() {
        double[][] x = random(4, N, 7, 1.5, 0);
        double[][] expected = new double[N][7];
        double worstGap = 0;
        for (int i = 0; i < N; i++)
            for (int j = 0; j < 7; j++) {
                double v = x[i][j];
                expected[i][j] = 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
                worstGap = Math.max(worstGap, Math.abs(expected[i][j] - 0.5 * v * (1 + erf(v / Math.sqrt(2)))));
            }
        assertClose(expected, eval(ops.geluTanh(sd.constant(f32(x)))), 1e-6);
        assertTrue(worstGap > 1e-4, "the forms must be told apart here: " + worstGap);
    }

    @Test
    void linearAndLinearWideAreTorchLinear() {
        int in = 4, out = 3;
        double[][] x = random(5, N, in, 1, 0), w = random(6, out, in, 1, 0);
        double[] b = random(7, 1, out, 1, 0)[0];
        double[][] expected = new double[N][out];
        for (int i = 0; i < N; i++)
            for (int o = 0; o < out; o++) {
                expected[i][o] = b[o];
                for (int k = 0; k < in; k++) expected[i][o] += x[i][k] * w[o][k];
            }
        SDVariable xs = sd.constant(f32(x)), ws = sd.var("w", f32(w)), bs = sd.var("b", f32(b));
        assertClose(expected, eval(ops.linear(xs, ws, bs)), 1e-6);
        assertClose(expected, eval(ops.linearWide(xs, ws, bs)), 1e-6);
    }

    @Test
    void lookupSelectsTableRows() {
        double[][] table = random(8, 6, 3, 1, 0);
        int[] ids = {4, 0, 5, 4, 2};
        double[][] oneHot = new double[N][6], expected = new double[N][];
        for (int i = 0; i < N; i++) {
            oneHot[i][ids[i]] = 1;
            expected[i] = table[ids[i]];
        }
        assertClose(expected, eval(ops.lookup(sd.constant(f32(oneHot)), sd.var("t", f32(table)))), 0);
    }

    @Test
    void scaleHeadsMultipliesEachHeadsColumnsByItsGate() {
        int h = 3, d = 2;
        double[][] ctx = random(9, N, h * d, 1, 0);
        double[] g = {0.5, 0, (float) 1.7};
        double[][] expected = new double[N][h * d];
        for (int i = 0; i < N; i++) for (int c = 0; c < h * d; c++) expected[i][c] = ctx[i][c] * g[c / d];
        assertClose(expected, eval(ops.scaleHeads(sd.constant(f32(ctx)), sd.constant(f32(g)), h, d)), 1e-7);
    }

    @Test
    void dropoutMultipliesByItsMaskAndPassesTheGradient() {
        double[][] x = random(10, N, 4, 1, 0), mask = new double[N][4], expected = new double[N][4];
        for (int i = 0; i < N; i++) for (int j = 0; j < 4; j++) {
            mask[i][j] = (i + j) % 3 == 0 ? 0 : (float) (1 / 0.9);
            expected[i][j] = x[i][j] * mask[i][j];
        }
        SDVariable xs = sd.var("x", f32(x));
        SDVariable y = ops.dropout(xs, "drop", -1, 4);
        feed.put("drop", f32(mask));
        assertClose(expected, eval(y), 1e-6);
        sd.setLossVariables(y.sum().rename("loss"));
        assertClose(mask, Gradients.calculate(sd, feed, List.of("loss"), List.of("x")).getGradients().get("x"), 1e-6);
    }

    @Test
    void gradientTapYieldsTheGradientOfAPlaceholder() {
        double[][] x = random(11, N, 3, 1, 0), twice = new double[N][3];
        for (int i = 0; i < N; i++) for (int j = 0; j < 3; j++) twice[i][j] = 2 * x[i][j];
        SDVariable y = ops.gradientTap(sd.placeHolder("in", DataType.FLOAT, -1, 3), "in.delta", 3);
        sd.getVariable("in.delta").setArray(Nd4j.zeros(DataType.FLOAT, N, 3));       // as the feed resizes it
        feed.put("in", f32(x));
        sd.setLossVariables(y.mul(y).sum().rename("loss"));                            // d/dx Σ x² = 2x
        assertClose(twice, Gradients.calculate(sd, feed, List.of("loss"), List.of("in.delta")).getGradients().get("in.delta"), 1e-6);
    }
}
