package headlens.bench;

import headlens.model.Encoder;
import headlens.model.ModelSource;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.autodiff.samediff.internal.memory.AbstractMemoryMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

import java.util.*;

/** Diagnostic: which session arrays are never released, and how native bytes move per step without GC. */
public final class LeakProbe {
    static final Map<INDArray, String> live = Collections.synchronizedMap(new IdentityHashMap<>());
    static final Map<String, Integer> notCloseable = new TreeMap<>();

    static final class Mgr extends AbstractMemoryMgr {
        @Override public INDArray allocate(boolean detached, DataType dt, long... shape) {
            INDArray a = Nd4j.createUninitialized(dt, shape);
            live.put(a, dt + Arrays.toString(shape) + (detached ? " detached" : ""));
            return a;
        }
        @Override public INDArray allocate(boolean detached, LongShapeDescriptor d) {
            INDArray a = Nd4j.createUninitialized(d.dataType(), d.getShape(), d.getOrder());
            live.put(a, d.dataType() + Arrays.toString(d.getShape()) + (detached ? " detached" : ""));
            return a;
        }
        @Override public void release(INDArray a) {
            if (a == null) return;
            String was = live.remove(a);
            if (a.closeable()) a.close();
            else synchronized (notCloseable) {
                String k = (was == null ? "foreign " : "") + (a.isView() ? "view " : "") + a.dataType() + Arrays.toString(a.shape());
                notCloseable.merge(k, 1, Integer::sum);
            }
        }
        @Override public void close() {}
    }

    public static void main(String[] args) throws Exception {
        int steps = EncodeBench.intArg(args, "--steps", 3), batch = EncodeBench.intArg(args, "--batch", 8);
        int seq = EncodeBench.intArg(args, "--seq", 64);
        boolean train = !Arrays.asList(args).contains("--infer");
        SameDiff.bindInferenceFactory(sd -> { InferenceSession s = new InferenceSession(sd); s.setMmgr(new Mgr()); return s; });
        ModelSource m = ModelSource.defaultModel();
        Encoder enc = Encoder.create(m.config(), m.weights(), train ? Encoder.Options.TRAINING : Encoder.Options.INFERENCE);
        SameDiff.bindInferenceFactory(sd -> { InferenceSession s = new InferenceSession(sd); s.setMmgr(new Mgr()); return s; });
        SameDiff sd = enc.sd();
        List<String> vars = new ArrayList<>();
        if (train) {
            sd.setLossVariables(enc.lastHidden().mul(enc.lastHidden()).mean().rename("loss"));
            for (SDVariable v : sd.variables()) if (v.getVariableType() == VariableType.VARIABLE) vars.add(v.name());
            headlens.model.Gradients.ensure(sd);
        }
        Random rnd = new Random(3);
        for (int s = 1; s <= steps; s++) {
            int[][] ids = new int[batch][seq], mask = new int[batch][seq];
            for (int i = 0; i < batch; i++) for (int j = 0; j < seq; j++) { ids[i][j] = 1000 + rnd.nextInt(20000); mask[i][j] = 1; }
            Map<String, INDArray> feed = enc.feed(new Encoder.Batch(ids, mask), train);
            long before = Pointer.totalBytes();
            Map<String, INDArray> out;
            if (train && Arrays.asList(args).contains("--stock")) out = sd.calculateGradients(feed, vars);
            else if (train) {
                out = headlens.model.Gradients.calculate(sd, feed, List.of(), vars).getGradients();
                if (s == 1) {
                    Map<String, INDArray> ref = sd.calculateGradients(feed, vars);
                    double maxd = 0;
                    for (String v : vars) maxd = Math.max(maxd, ref.get(v).sub(out.get(v)).amaxNumber().doubleValue());
                    System.out.printf("max |grad(stock) - grad(Gradients)| over %d variables: %g%n", vars.size(), maxd);
                }
            } else out = sd.output(feed, Encoder.LAST_HIDDEN);
            long after = Pointer.totalBytes();
            out.values().forEach(a -> { if (a.closeable()) a.close(); });
            feed.values().forEach(a -> { if (a.closeable()) a.close(); });
            long afterClose = Pointer.totalBytes();
            Map<String, long[]> byShape = new TreeMap<>();
            synchronized (live) { for (var e : live.entrySet()) { long[] c = byShape.computeIfAbsent(e.getValue(), k -> new long[2]); c[0]++; c[1] += e.getKey().length() * 4; } }
            System.out.printf("step %d (rss %.2f GB): native %+.1f MB during, %+.1f MB net after closing outputs+feeds; %d session arrays never released%n",
                    s, MemoryBench.rssGb(), (after - before) / 1e6, (afterClose - before) / 1e6, live.size());
            if (s == steps) {
                byShape.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1])).limit(25)
                        .forEach(e -> System.out.printf("   unreleased %-40s x%d  %.1f MB%n", e.getKey(), e.getValue()[0], e.getValue()[1] / 1e6));
                synchronized (notCloseable) { notCloseable.forEach((k, v) -> System.out.printf("   released but not closeable %-40s x%d%n", k, v)); }
            }
            live.clear();
        }
    }
}
