package headlens.model;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Forward + backward through a graph's gradient function, freeing intermediates as it goes.
 *
 * <p>Why not {@link SameDiff#calculateGradientsAndOutputs}: in 1.0.0-M2.1 it switches the gradient function's cache off
 * ({@code setEnableCache(false)}), and the inference session releases arrays to its memory manager only while the cache
 * is on. Every activation and gradient of a step was therefore left to the garbage collector (about 1 GB per MiniLM
 * step at 8 × 64, measured by {@code benchmarks} LeakProbe), which is what drove resident memory to JavaCPP's limit.
 * Here the same gradient function runs with the cache on, so {@link ClosingMemoryMgr} frees each array after its last
 * use; the requested outputs and gradients are returned and are the caller's to close.
 */
public final class Gradients {
    private Gradients() {}

    /** Builds the gradient function once, keeping SameDiff's "Added differentiated op" lines off System.out. */
    public static void ensure(SameDiff sd) {
        if (sd.hasGradientFunction()) return;
        PrintStream out = System.out;
        synchronized (System.class) {
            System.setOut(new PrintStream(OutputStream.nullOutputStream()));
            try {
                sd.createGradFunction();
            } finally {
                System.setOut(out);
            }
        }
    }

    /** Values of {@code outputs} and d loss / d {@code wrt} (by variable name) for one feed. */
    public static OutAndGrad calculate(SameDiff sd, Map<String, INDArray> feed, Collection<String> outputs, Collection<String> wrt) {
        ensure(sd);
        List<String> names = new ArrayList<>(outputs);
        Map<String, String> gradName = new HashMap<>();
        for (String v : wrt) {
            SDVariable g = sd.getVariable(v).getGradient();
            if (g == null) continue;                       // the loss does not depend on v
            gradName.put(v, g.name());
            if (!names.contains(g.name())) names.add(g.name());
        }
        SameDiff gradFn = sd.getFunction("grad");
        gradFn.setEnableCache(true);
        Map<String, INDArray> r = gradFn.output(feed, names);
        Map<String, INDArray> outs = new HashMap<>(), grads = new HashMap<>();
        for (String o : outputs) outs.put(o, r.get(o));
        for (var e : gradName.entrySet()) grads.put(e.getKey(), r.get(e.getValue()));
        return new OutAndGrad(outs, grads);
    }
}
