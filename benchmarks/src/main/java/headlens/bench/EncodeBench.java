package headlens.bench;

import headlens.config.EncoderConfig;
import headlens.model.Encoder;
import headlens.model.ModelSource;
import headlens.testing.OnnxReference;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Encode throughput of headlens vs ONNX Runtime on all-MiniLM-L6-v2 in the same JVM, same batches:
 * tokens/s, the ratio, achieved GFLOP/s and the share of this CPU's FP32 peak; then headlens forward+backward.
 *
 * <p>Run: {@code benchmarks/encode.sh [--batch 32] [--seq 128] [--iters 5] [--threads 2] [--peak-gflops 294.4]}
 */
public final class EncodeBench {
    public static void main(String[] args) throws Exception {
        int batch = intArg(args, "--batch", 32), seq = intArg(args, "--seq", 128), iters = intArg(args, "--iters", 5);
        int threads = intArg(args, "--threads", Runtime.getRuntime().availableProcessors());
        double peak = Double.parseDouble(arg(args, "--peak-gflops", "294.4"));
        String modelDir = arg(args, "--model", null);
        PrintStream out = System.out;

        EncoderConfig cfg;
        Map<String, INDArray> weights;
        if (modelDir != null) {
            var m = ModelSource.load(Path.of(modelDir));
            cfg = m.config();
            weights = m.weights();
        } else {
            var m = ModelSource.defaultModel();
            cfg = m.config();
            weights = m.weights();
        }
        Random rnd = new Random(1);
        int[][] ids = new int[batch][seq], mask = new int[batch][seq];
        for (int i = 0; i < batch; i++) {
            for (int j = 0; j < seq; j++) { ids[i][j] = 1000 + rnd.nextInt(cfg.vocabSize() - 1000); mask[i][j] = 1; }
            ids[i][0] = 101; ids[i][seq - 1] = 102;
        }
        Encoder.Batch b = new Encoder.Batch(ids, mask);
        double tokens = (double) batch * seq;
        double flops = forwardFlops(cfg, batch, seq);

        Encoder enc = Encoder.create(cfg, weights, Encoder.Options.INFERENCE);
        for (int i = 0; i < 2; i++) enc.forward(b).hidden().close();
        long t0 = System.nanoTime();
        for (int i = 0; i < iters; i++) enc.forward(b).hidden().close();
        double hl = (System.nanoTime() - t0) / 1e9 / iters;

        double ort;
        try (OnnxReference peer = new OnnxReference(threads)) {
            for (int i = 0; i < 2; i++) peer.run(ids, mask);
            t0 = System.nanoTime();
            for (int i = 0; i < iters; i++) peer.run(ids, mask);
            ort = (System.nanoTime() - t0) / 1e9 / iters;
        }

        // forward + backward (gradients of every weight and the gates) through a scalar loss on the hidden states
        Encoder train = Encoder.create(cfg, weights, Encoder.Options.TRAINING);
        SameDiff sd = train.sd();
        SDVariable loss = train.lastHidden().mul(train.lastHidden()).mean().rename("loss");
        sd.setLossVariables(loss);
        List<String> vars = new ArrayList<>();
        for (SDVariable v : sd.variables())
            if (v.getVariableType() == org.nd4j.autodiff.samediff.VariableType.VARIABLE) vars.add(v.name());
        headlens.model.Gradients.ensure(sd);
        for (int i = 0; i < 2; i++) step(train, b, vars);
        t0 = System.nanoTime();
        for (int i = 0; i < iters; i++) step(train, b, vars);
        double fb = (System.nanoTime() - t0) / 1e9 / iters;

        String header = String.format("model %s (L=%d H=%d heads=%d I=%d), batch %d x seq %d, threads %d, nd4j classifier %s",
                modelDir == null ? "all-MiniLM-L6-v2 (embedded)" : modelDir, cfg.numHiddenLayers(), cfg.hiddenSize(),
                cfg.numAttentionHeads(), cfg.intermediateSize(), batch, seq, threads, System.getProperty("headlens.nd4j.classifier", "?"));
        out.println(header);
        out.println("| what | s/batch | tokens/s | GFLOP/s | % of FP32 peak (" + peak + " GFLOP/s) | vs ONNX Runtime |");
        out.println("|---|---:|---:|---:|---:|---:|");
        row(out, "ONNX Runtime encode", ort, tokens, flops, peak, 1.0);
        row(out, "headlens encode", hl, tokens, flops, peak, ort / hl);
        row(out, "headlens forward+backward", fb, tokens, 3 * flops, peak, Double.NaN);
        out.printf("encode ratio headlens/ORT (throughput): %.3f%n", ort / hl);
        out.printf("peak RSS so far: %.2f GB%n", MemoryBench.hwmGb());
    }

    /** One forward+backward; inputs and gradients are closed at once (native memory is not left to the GC). */
    static void step(Encoder train, Encoder.Batch b, List<String> vars) {
        step(train, b, vars, () -> {});
    }

    /** As {@link #step(Encoder, Encoder.Batch, List)}; {@code fed} runs once the inputs and dropout masks are drawn. */
    static void step(Encoder train, Encoder.Batch b, List<String> vars, Runnable fed) {
        Map<String, INDArray> feed = train.feed(b, true);
        fed.run();
        headlens.model.Gradients.calculate(train.sd(), feed, List.of(), vars).getGradients().values().forEach(headlens.model.ClosingMemoryMgr::recycle);
        feed.values().forEach(headlens.model.ClosingMemoryMgr::recycle);
    }

    static void row(PrintStream out, String what, double sec, double tokens, double flops, double peak, double ratio) {
        out.printf("| %s | %.3f | %.0f | %.1f | %.1f%% | %s |%n", what, sec, tokens / sec, flops / sec / 1e9,
                100 * flops / sec / 1e9 / peak, Double.isNaN(ratio) ? "—" : String.format("%.2f×", ratio));
    }

    /** Matmul FLOPs of a forward pass (2 per multiply-add): dense layers + attention scores and context. */
    public static double forwardFlops(EncoderConfig c, int batch, int seq) {
        double n = (double) batch * seq, h = c.hiddenSize(), i = c.intermediateSize();
        double perLayer = 2 * n * (4 * h * h + 2 * h * i) + 2 * 2 * batch * (double) seq * seq * h;
        return perLayer * c.numHiddenLayers();
    }

    static String arg(String[] a, String name, String def) {
        int i = Arrays.asList(a).indexOf(name);
        return i >= 0 && i + 1 < a.length ? a[i + 1] : def;
    }

    static int intArg(String[] a, String name, int def) { return Integer.parseInt(arg(a, name, String.valueOf(def))); }
}
