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
        Encoder enc = Encoder.create(m.config(), m.weights(), Encoder.Options.TRAINING);
        SameDiff sd = enc.sd();
        sd.setLossVariables(enc.lastHidden().mul(enc.lastHidden()).mean().rename("loss"));
        List<String> vars = new ArrayList<>();
        for (SDVariable v : sd.variables()) if (v.getVariableType() == VariableType.VARIABLE) vars.add(v.name());
        PrintStream out = System.out;
        System.setOut(new PrintStream(PrintStream.nullOutputStream()));
        try { sd.createGradFunction(); } finally { System.setOut(out); }
        int[][] ids = new int[batch][seq], mask = new int[batch][seq];
        for (int i = 0; i < batch; i++) for (int j = 0; j < seq; j++) { ids[i][j] = 1000 + (i * 31 + j * 7) % 20000; mask[i][j] = 1; }
        Encoder.Batch b = new Encoder.Batch(ids, mask);
        sd.calculateGradients(enc.feed(b, true), vars);
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
        sd.setListeners(l);
        long t0 = System.nanoTime();
        Map<String, INDArray> feed = enc.feed(b, true);
        long t1 = System.nanoTime();
        sd.calculateGradients(feed, vars);
        double total = (System.nanoTime() - t1) / 1e6;
        out.printf("feed %.0f ms, fwd+bwd %.0f ms (batch %d x %d)%n", (t1 - t0) / 1e6, total, batch, seq);
        double sum = byOp.values().stream().mapToDouble(a -> a[0]).sum();
        out.printf("sum over ops %.0f ms%n", sum);
        byOp.entrySet().stream().sorted((x, y) -> Double.compare(y.getValue()[0], x.getValue()[0])).limit(40)
                .forEach(e -> out.printf("%-60s %8.0f ms  %5.0f calls%n", e.getKey(), e.getValue()[0], e.getValue()[1]));
    }
}
