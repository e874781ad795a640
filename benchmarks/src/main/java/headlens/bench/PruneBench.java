package headlens.bench;

import headlens.config.EncoderConfig;
import headlens.heads.HeadPruner;
import headlens.heads.HeadScores;
import headlens.model.Encoder;
import headlens.model.HeadId;
import headlens.model.HeadMask;
import headlens.model.ModelSource;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * Physical pruning vs masking on the real all-MiniLM-L6-v2: forward time of the unpruned encoder, the masked one (same
 * FLOPs, gates 0) and the physically pruned one, for k seeded-random heads, interleaved in one run, median of the
 * repetitions; reports the pruned/unpruned time ratio next to the FLOPs ratio, and the masked-vs-physical output difference.
 * Run: {@code benchmarks/java.sh headlens.bench.PruneBench [--batch 32] [--seq 128] [--reps 7] [--ks 0,12,24,36,48,60]}
 */
public final class PruneBench {
    public static void main(String[] args) throws Exception {
        int batch = EncodeBench.intArg(args, "--batch", 32), seq = EncodeBench.intArg(args, "--seq", 128), reps = EncodeBench.intArg(args, "--reps", 7);
        int[] ks = Arrays.stream(EncodeBench.arg(args, "--ks", "0,12,24,36,48,60").split(",")).mapToInt(Integer::parseInt).toArray();
        ModelSource m = ModelSource.defaultModel();
        EncoderConfig cfg = m.config();
        Random rnd = new Random(5);
        int[][] ids = new int[batch][seq], mask = new int[batch][seq];
        for (int i = 0; i < batch; i++) for (int j = 0; j < seq; j++) { ids[i][j] = 1000 + rnd.nextInt(20000); mask[i][j] = 1; }
        Encoder.Batch b = new Encoder.Batch(ids, mask);
        double[][] ones = new double[cfg.numHiddenLayers()][cfg.numAttentionHeads()];
        HeadScores uniform = HeadScores.fromRaw("u", ones, 1);
        Encoder full = Encoder.create(cfg, m.weights(), Encoder.Options.INFERENCE);
        double base = median(full, b, reps);
        System.out.printf(Locale.ROOT, "all-MiniLM-L6-v2 forward, batch %d x seq %d, median of %d (ms); nd4j %s%n", batch, seq, reps,
                System.getProperty("headlens.nd4j.classifier", "?"));
        System.out.println("| heads pruned | FLOPs ratio | unpruned ms | masked ms | physical ms | physical / unpruned | max abs diff masked vs physical |");
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|");
        for (int k : ks) {
            List<HeadId> heads = uniform.select(k, HeadScores.Order.RANDOM, 11);
            Encoder masked = Encoder.create(cfg, m.weights(), Encoder.Options.INFERENCE);
            new HeadMask(Set.copyOf(heads)).apply(masked);
            HeadPruner.Pruned p = HeadPruner.prune(cfg, m.weights(), heads);
            Encoder physical = Encoder.create(p.config(), p.weights(), Encoder.Options.INFERENCE);
            INDArray a = masked.forward(b).hidden(), c = physical.forward(b).hidden();
            double diff = a.sub(c).amaxNumber().doubleValue();
            // interleave to share the machine's load evenly
            List<Double> tf = new ArrayList<>(), tm = new ArrayList<>(), tp = new ArrayList<>();
            for (int r = 0; r < reps; r++) { tf.add(time(full, b)); tm.add(time(masked, b)); tp.add(time(physical, b)); }
            double f = med(tf), mm = med(tm), pp = med(tp);
            double flops = HeadPruner.flopsPerToken(p.config(), seq) / HeadPruner.flopsPerToken(cfg, seq);
            System.out.printf(Locale.ROOT, "| %d | %.3f | %.0f | %.0f | %.0f | %.3f | %.1e |%n", k, flops, f, mm, pp, pp / f, diff);
        }
        System.out.printf(Locale.ROOT, "(warm-up unpruned median %.0f ms)%n", base);
    }

    static double time(Encoder e, Encoder.Batch b) {
        long t0 = System.nanoTime();
        e.forward(b).hidden().close();
        return (System.nanoTime() - t0) / 1e6;
    }

    static double median(Encoder e, Encoder.Batch b, int reps) {
        List<Double> t = new ArrayList<>();
        for (int r = 0; r < reps; r++) t.add(time(e, b));
        return med(t);
    }

    static double med(List<Double> t) {
        List<Double> s = new ArrayList<>(t);
        s.sort(null);
        return s.get(s.size() / 2);
    }
}
