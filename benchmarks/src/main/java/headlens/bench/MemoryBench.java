package headlens.bench;

import headlens.model.Encoder;
import headlens.model.ModelSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Resident memory over many forward+backward steps of the real MiniLM at batch × seq (default 32 × 128, 200 steps):
 * prints RSS after every step (CSV) and a summary: RSS after warm-up, at the end, and the peak.
 * Run: {@code benchmarks/memory.sh [--steps 200] [--batch 32] [--seq 128] [--csv FILE]}
 */
public final class MemoryBench {
    public static void main(String[] args) throws Exception {
        int steps = EncodeBench.intArg(args, "--steps", 200), batch = EncodeBench.intArg(args, "--batch", 32);
        int seq = EncodeBench.intArg(args, "--seq", 128);
        String csv = EncodeBench.arg(args, "--csv", null);
        ModelSource m = ModelSource.defaultModel();
        Encoder enc = Encoder.create(m.config(), m.weights(), Encoder.Options.TRAINING);
        SameDiff sd = enc.sd();
        sd.setLossVariables(enc.lastHidden().mul(enc.lastHidden()).mean().rename("loss"));
        List<String> vars = new ArrayList<>();
        for (SDVariable v : sd.variables()) if (v.getVariableType() == VariableType.VARIABLE) vars.add(v.name());
        PrintStream out = System.out;
        headlens.model.Gradients.ensure(sd);

        String mmgr = EncodeBench.arg(args, "--mmgr", "default");
        boolean stock = java.util.Arrays.asList(args).contains("--stock");   // SameDiff.calculateGradients (cache off: nothing freed)
        out.printf("before the first step: rss %.2f GB%n", rssGb());
        Random rnd = new Random(3);
        StringBuilder rows = new StringBuilder("step,seconds,rss_gb,hwm_gb\n");
        double warm = 0, peak = 0, last = 0;
        long t0 = System.nanoTime();
        for (int s = 1; s <= steps; s++) {
            int t = seq - rnd.nextInt(seq / 4);                // varying lengths, as real batches have
            int[][] ids = new int[batch][t], mask = new int[batch][t];
            for (int i = 0; i < batch; i++)
                for (int j = 0; j < t; j++) { ids[i][j] = 1000 + rnd.nextInt(20000); mask[i][j] = 1; }
            if (stock) {
                Map<String, INDArray> feed = enc.feed(new Encoder.Batch(ids, mask), true);
                sd.calculateGradients(feed, vars).values().forEach(INDArray::close);
                feed.values().forEach(INDArray::close);
            } else {
                EncodeBench.step(enc, new Encoder.Batch(ids, mask), vars);
            }
            if (s == 1 && !mmgr.equals("default")) {
                for (SameDiff f : new SameDiff[]{sd, sd.getFunction("grad")})
                    for (var sess : f.getSessions().values())
                        sess.setMmgr(mmgr.equals("noop") ? new org.nd4j.autodiff.samediff.internal.memory.NoOpMemoryMgr()
                                : new org.nd4j.autodiff.samediff.internal.memory.ArrayCacheMemoryMgr(0.1, 1024, 2.0));
            }
            last = rssGb();
            peak = Math.max(peak, last);
            if (s == Math.min(20, steps)) warm = last;
            rows.append(s).append(',').append(String.format("%.2f", (System.nanoTime() - t0) / 1e9)).append(',')
                    .append(String.format("%.3f", last)).append(',').append(String.format("%.3f", hwmGb())).append('\n');
            if (s % 10 == 0 || System.getProperty("everyStep") != null) out.printf("step %d  rss %.2f GB  peak %.2f GB  %s%n", s, last, peak, headlens.model.ClosingMemoryMgr.stats());
        }
        if (csv != null) Files.writeString(Path.of(csv), rows);
        out.printf("batch %d x seq <=%d, %d steps: RSS after warm-up (step 20) %.2f GB, at end %.2f GB, peak after a step %.2f GB, "
                + "peak within steps (VmHWM) %.2f GB, %.2f s/step; %s%n", batch, seq, steps, warm, last, peak, hwmGb(),
                (System.nanoTime() - t0) / 1e9 / steps, headlens.model.ClosingMemoryMgr.stats());
    }

    /** Peak resident set size so far (VmHWM), GiB. */
    static double hwmGb() throws Exception {
        return procStatusGb("VmHWM:");
    }

    static double rssGb() throws Exception {
        return procStatusGb("VmRSS:");
    }

    private static double procStatusGb(String key) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status")))
            if (line.startsWith(key)) return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0 / 1024.0;
        return Double.NaN;
    }
}
