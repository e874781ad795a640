package headlens.model;

import headlens.config.EncoderConfig;
import headlens.io.Npz;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The encoder against an independent float64 NumPy implementation ({@code src/test/python/tiny_xlmr_reference.py})
 * on a random XLM-R-shaped checkpoint: pad id 1, positions offset by the pad id, one token type, eps 1e-5, padded batch.
 */
class TinyXlmrReferenceTest {
    static final Path DIR = Path.of("src/test/resources/golden/tiny-xlmr");
    static EncoderConfig cfg;
    static Map<String, INDArray> weights;
    static Map<String, INDArray> expected;
    static Encoder.Batch batch;

    @BeforeAll
    static void load() {
        cfg = EncoderConfig.read(DIR.resolve("config.json"));
        weights = Npz.read(DIR.resolve("weights.npz"));
        expected = Npz.read(DIR.resolve("expected.npz"));
        Map<String, INDArray> in = Npz.read(DIR.resolve("inputs.npz"));
        batch = new Encoder.Batch(in.get("input_ids").toIntMatrix(), in.get("attention_mask").toIntMatrix());
    }

    /** max |a - b| / max |b|: the error relative to the tensor's scale. */
    static double relErr(INDArray actual, INDArray ref) {
        INDArray a = actual.castTo(DataType.DOUBLE), b = ref.castTo(DataType.DOUBLE);
        assertArrayEquals(b.shape(), a.shape());
        return a.sub(b).amaxNumber().doubleValue() / b.amaxNumber().doubleValue();
    }

    /** Hidden states [B, T, H] restricted to the real (unpadded) tokens of each sequence. */
    static double maskedRelErr(INDArray actual, INDArray ref) {
        double worst = 0;
        for (int i = 0; i < batch.size(); i++) {
            int n = java.util.Arrays.stream(batch.mask()[i]).sum();
            worst = Math.max(worst, relErr(actual.get(NDArrayIndex.point(i), NDArrayIndex.interval(0, n)),
                    ref.get(NDArrayIndex.point(i), NDArrayIndex.interval(0, n))));
        }
        return worst;
    }

    /** Attention probabilities [B, h, T, T] restricted to real query and key positions. */
    static double maskedAttnErr(INDArray actual, INDArray ref) {
        double worst = 0;
        for (int i = 0; i < batch.size(); i++) {
            int n = java.util.Arrays.stream(batch.mask()[i]).sum();
            var idx = new org.nd4j.linalg.indexing.INDArrayIndex[]{NDArrayIndex.point(i), NDArrayIndex.all(),
                    NDArrayIndex.interval(0, n), NDArrayIndex.interval(0, n)};
            worst = Math.max(worst, relErr(actual.get(idx), ref.get(idx)));
        }
        return worst;
    }

    @Test
    void hiddenStatesAndAttentionsMatchNumpy() {
        Encoder enc = Encoder.create(cfg, weights, Encoder.Options.WITH_ATTENTIONS);
        Encoder.Output out = enc.forward(batch);
        double e = maskedRelErr(out.hidden(), expected.get("hidden"));
        assertTrue(e <= 1e-5, "hidden relative error " + e);
        assertEquals(cfg.numHiddenLayers(), out.attentions().size());
        for (int l = 0; l < cfg.numHiddenLayers(); l++) {
            double ea = maskedAttnErr(out.attentions().get(l), expected.get("attn_" + l));
            assertTrue(ea <= 1e-5, "layer " + l + " attention relative error " + ea);
        }
    }

    @Test
    void tanhGeluMatchesNumpyAndDiffersFromErf() {
        EncoderConfig tanh = cfg.withHiddenAct("gelu_new");
        INDArray out = Encoder.create(tanh, weights, Encoder.Options.INFERENCE).forward(batch).hidden();
        double e = maskedRelErr(out, expected.get("hidden_gelu_new"));
        assertTrue(e <= 1e-5, "gelu_new hidden relative error " + e);
        double apart = maskedRelErr(expected.get("hidden_gelu_new"), expected.get("hidden"));
        assertTrue(apart > 10 * 1e-5, "the two GELU forms must be told apart by this check: " + apart);
        INDArray pt = Encoder.create(cfg.withHiddenAct("gelu_pytorch_tanh"), weights, Encoder.Options.INFERENCE).forward(batch).hidden();
        assertEquals(out, pt, "gelu_pytorch_tanh is the same function as gelu_new");
        var ex = assertThrows(headlens.core.HeadlensException.class, () -> cfg.withHiddenAct("relu"));
        assertTrue(ex.getMessage().contains("supported: gelu, gelu_new, gelu_pytorch_tanh"), ex.getMessage());
    }

    /**
     * Adds the scalar loss "loss" = 1e-2 · (Σ hidden · R)² to the encoder's graph, R random (seeded) with padded rows
     * zeroed as a tagger's masked loss does; squared so that it is non-linear in the gates. Builds the gradient function
     * without SameDiff's per-op lines on System.out.
     */
    private static void addLoss(Encoder enc, long seed) {
        var sd = enc.sd();
        int n = batch.size() * batch.length();
        Nd4j.getRandom().setSeed(seed);
        INDArray r = Nd4j.randn(DataType.FLOAT, n, cfg.hiddenSize());
        INDArray rowMask = Nd4j.create(DataType.FLOAT, n, 1);
        for (int i = 0; i < batch.size(); i++)
            for (int j = 0; j < batch.length(); j++) rowMask.putScalar(i * batch.length() + j, 0, batch.mask()[i][j]);
        SDVariable loss = enc.lastHidden().mul(sd.constant(r.mul(rowMask))).sum();
        sd.setLossVariables(loss.mul(loss).mul(1e-2).rename("loss"));
        Gradients.ensure(sd);
    }

    /** Hidden states and d loss / d gate of one options' graph at the given gates. */
    private static INDArray[] outputsAndGateGradients(Encoder.Options options, float[][] gateValues) {
        Encoder enc = Encoder.create(cfg, weights, options);
        enc.setGates(gateValues);
        var sd = enc.sd();
        Map<String, INDArray> feed = enc.feed(batch);
        addLoss(enc, 11);
        INDArray hidden = enc.forward(batch).hidden().dup();
        INDArray grad = sd.calculateGradients(feed, Encoder.HEAD_GATES).get(Encoder.HEAD_GATES).dup();
        return new INDArray[]{hidden, grad};
    }

    /**
     * The encoder has two gate paths: with attentions requested the gate scales the probabilities (HuggingFace's
     * head_mask), otherwise it scales each head's context ((g·P)·V = g·(P·V)). With gates away from 1, including 0 and
     * a value above 1, both give the same hidden states and the same gate gradients (which rank the heads).
     */
    @Test
    void bothGatePathsAgreeWithGatesOtherThanOne() {
        float[][] g = new float[cfg.numHiddenLayers()][cfg.numAttentionHeads()];
        java.util.Random rnd = new java.util.Random(3);
        for (float[] row : g) for (int h = 0; h < row.length; h++) row[h] = 0.1f + 1.3f * rnd.nextFloat();
        g[0][1] = 0f;
        g[2][3] = 1.7f;
        INDArray[] ctx = outputsAndGateGradients(Encoder.Options.INFERENCE, g);
        INDArray[] probs = outputsAndGateGradients(Encoder.Options.WITH_ATTENTIONS, g);
        double eh = maskedRelErr(ctx[0], probs[0]);
        assertTrue(eh <= 1e-5, "hidden states of the two gate paths differ: " + eh);
        double eg = relErr(ctx[1], probs[1]);
        assertTrue(eg <= 1e-4, "gate gradients of the two gate paths differ: " + eg);
        // and the gates do act: the gated output is far from the ungated one
        assertTrue(maskedRelErr(ctx[0], expected.get("hidden")) > 1e-2);
    }

    @Test
    void gatesEqualHeadMaskOfTheReference() {
        Encoder enc = Encoder.create(cfg, weights, Encoder.Options.INFERENCE);
        INDArray g = expected.get("gates");
        for (int l = 0; l < g.rows(); l++)
            for (int h = 0; h < g.columns(); h++) enc.setGate(l, h, g.getFloat(l, h));
        double e = maskedRelErr(enc.forward(batch).hidden(), expected.get("hidden_gated"));
        assertTrue(e <= 1e-5, "gated hidden relative error " + e);
        assertEquals(0f, enc.gates()[1][2]);
    }

    @Test
    void allGatesOneIsExactlyTheUngatedGraph() {
        Encoder enc = Encoder.create(cfg, weights, Encoder.Options.INFERENCE);
        INDArray first = enc.forward(batch).hidden().dup();
        enc.setGate(0, 1, 0.25f);
        assertNotEquals(0.0, enc.forward(batch).hidden().sub(first).amaxNumber().doubleValue());
        enc.setGate(0, 1, 1f);
        assertEquals(first, enc.forward(batch).hidden(), "gates at 1 must reproduce the output bit for bit");
    }

    @Test
    void resultsDoNotDependOnBatchComposition() {
        Encoder enc = Encoder.create(cfg, weights, Encoder.Options.INFERENCE);
        INDArray together = enc.forward(batch).hidden();
        for (int i = 0; i < batch.size(); i++) {
            int n = java.util.Arrays.stream(batch.mask()[i]).sum();
            int[] ids = java.util.Arrays.copyOf(batch.ids()[i], n);
            INDArray alone = enc.forward(Encoder.Batch.pad(List.of(ids), cfg.padTokenId())).hidden();
            INDArray a = together.get(NDArrayIndex.point(i), NDArrayIndex.interval(0, n));
            double diff = a.sub(alone.get(NDArrayIndex.point(0))).amaxNumber().doubleValue();
            assertTrue(diff <= 1e-5, "row " + i + " differs alone vs batched by " + diff);
        }
    }

    @Test
    void gateGradientsMatchCentralFiniteDifferencesOnEveryHead() {
        Encoder enc = Encoder.create(cfg, weights, Encoder.Options.INFERENCE);
        var sd = enc.sd();
        Map<String, INDArray> feed = enc.feed(batch);
        addLoss(enc, 7);
        INDArray grad = sd.calculateGradients(feed, Encoder.HEAD_GATES).get(Encoder.HEAD_GATES).dup();
        INDArray gates = sd.getVariable(Encoder.HEAD_GATES).getArr();
        double eps = 1e-2;
        List<String> bad = new ArrayList<>();
        for (int l = 0; l < cfg.numHiddenLayers(); l++) {
            for (int h = 0; h < cfg.numAttentionHeads(); h++) {
                gates.putScalar(l, h, 1 + eps);
                double up = sd.output(feed, "loss").get("loss").getDouble(0);
                gates.putScalar(l, h, 1 - eps);
                double down = sd.output(feed, "loss").get("loss").getDouble(0);
                gates.putScalar(l, h, 1);
                double fd = (up - down) / (2 * eps), an = grad.getDouble(l, h);
                double rel = Math.abs(fd - an) / Math.max(Math.abs(fd), 1e-3);
                if (rel > 1e-2) bad.add(l + ":" + h + " analytic " + an + " fd " + fd);
            }
        }
        assertTrue(bad.isEmpty(), "gate gradients off: " + bad);
    }

    @Test
    void pooledGradientsEqualSameDiffsOwnAndRecycledBuffersDoNotLeakIntoResults() {
        Encoder enc = Encoder.create(cfg, weights, Encoder.Options.TRAINING);
        var sd = enc.sd();
        SDVariable loss = enc.lastHidden().mul(enc.lastHidden()).mean().rename("loss");
        sd.setLossVariables(loss);
        List<String> vars = new ArrayList<>();
        for (SDVariable v : sd.variables())
            if (v.getVariableType() == org.nd4j.autodiff.samediff.VariableType.VARIABLE) vars.add(v.name());
        Map<String, INDArray> feed = enc.feed(batch, false);
        // reference: SameDiff's own path (its gradient function runs with the cache off and frees nothing)
        Map<String, INDArray> ref = new java.util.HashMap<>();
        Gradients.ensure(sd);
        sd.calculateGradients(feed, vars).forEach((k, v) -> ref.put(k, v.dup()));
        for (int round = 0; round < 3; round++) {
            // a batch of another shape in between: the pool hands its released buffers to the next step
            int[] one = java.util.Arrays.copyOf(batch.ids()[0], 3);
            Gradients.calculate(sd, enc.feed(Encoder.Batch.pad(List.of(one), cfg.padTokenId()), false), List.of("loss"), vars)
                    .getGradients().values().forEach(ClosingMemoryMgr::recycle);
            var og = Gradients.calculate(sd, enc.feed(batch, false), List.of("loss"), vars);   // (re)sizes the delta too
            for (String v : vars) assertEquals(ref.get(v), og.getGradients().get(v), "gradient of " + v + ", round " + round);
            og.getGradients().values().forEach(ClosingMemoryMgr::recycle);
        }
    }
}
