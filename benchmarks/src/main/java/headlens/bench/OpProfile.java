package headlens.bench;

import headlens.model.Encoder;
import headlens.model.ModelSource;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.ListenerResponse;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Where a forward+backward step spends its time, by op type (wall time between op start and end). */
public final class OpProfile {
    public static void main(String[] args) throws Exception {
        int batch = EncodeBench.intArg(args, "--batch", 16), seq = EncodeBench.intArg(args, "--seq", 128);
        ModelSource m = ModelSource.defaultModel();
        boolean infer = java.util.Arrays.asList(args).contains("--infer");     // forward only (encode)
        Encoder enc = Encoder.create(m.config(), m.weights(), infer ? Encoder.Options.INFERENCE : Encoder.Options.TRAINING);
        SameDiff sd = enc.sd();
        PrintStream out = System.out;
        List<String> vars = new ArrayList<>();
        if (!infer) {
            sd.setLossVariables(enc.lastHidden().mul(enc.lastHidden()).mean().rename("loss"));
            for (SDVariable v : sd.variables()) if (v.getVariableType() == VariableType.VARIABLE) vars.add(v.name());
            headlens.model.Gradients.ensure(sd);
        }
        int[][] ids = new int[batch][seq], mask = new int[batch][seq];
        for (int i = 0; i < batch; i++) for (int j = 0; j < seq; j++) { ids[i][j] = 1000 + (i * 31 + j * 7) % 20000; mask[i][j] = 1; }
        Encoder.Batch b = new Encoder.Batch(ids, mask);
        run(enc, b, vars, infer);
        Map<String, double[]> byOp = new HashMap<>();
        long[] start = new long[1];
        BaseListener l = new BaseListener() {
            @Override public boolean isActive(Operation operation) { return true; }
            @Override public void preOpExecution(SameDiff sd, At at, SameDiffOp op, OpContext ctx) { start[0] = System.nanoTime(); }
            @Override public void opExecution(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext ctx, INDArray[] outputs) {
                double ms = (System.nanoTime() - start[0]) / 1e6;
                String key = op.getOp().opName() + (System.getProperty("byShape") != null && outputs.length > 0 ? " " + java.util.Arrays.toString(outputs[0].shape()) + (outputs.length > 1 ? "+" + java.util.Arrays.toString(outputs[1].shape()) : "") : "");
                double[] acc = byOp.computeIfAbsent(key, k -> new double[2]);
                acc[0] += ms; acc[1]++;
            }
        };
        (infer ? sd : sd.getFunction("grad")).setListeners(l);
        long t0 = System.nanoTime();
        long t1 = System.nanoTime();
        run(enc, b, vars, infer);
        double total = (System.nanoTime() - t1) / 1e6;
        out.printf("feed (inputs, dropout masks) %.0f ms, %s (incl. feed) %.0f ms (batch %d x %d)%n", FEED_MS[0], infer ? "fwd" : "fwd+bwd", total, batch, seq);
        double sum = byOp.values().stream().mapToDouble(a -> a[0]).sum();
        out.printf("sum over ops %.0f ms; %s%n", sum, headlens.model.ClosingMemoryMgr.stats());
        byOp.entrySet().stream().sorted((x, y) -> Double.compare(y.getValue()[0], x.getValue()[0])).limit(40)
                .forEach(e -> out.printf("%-60s %8.0f ms  %5.0f calls%n", e.getKey(), e.getValue()[0], e.getValue()[1]));
    }

    static final double[] FEED_MS = new double[1];

    static void run(Encoder enc, Encoder.Batch b, List<String> vars, boolean infer) {
        if (infer) { enc.forward(b).hidden().close(); return; }
        long f0 = System.nanoTime();
        EncodeBench.step(enc, b, vars, () -> FEED_MS[0] = (System.nanoTime() - f0) / 1e6);
    }
}
