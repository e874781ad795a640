package headlens.bench;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.factory.Nd4j;

/** Diagnostic: batched attention matmul, rank 4 vs rank 3 vs one BatchMmul, GFLOP/s. */
public final class BmmProbe {
    public static void main(String[] args) {
        int b = 32, h = 12, t = 128, d = 32;
        INDArray q4 = Nd4j.rand(DataType.FLOAT, b, h, t, d), k4 = Nd4j.rand(DataType.FLOAT, b, h, d, t);
        INDArray q3 = q4.reshape(b * h, t, d), k3 = k4.reshape(b * h, d, t);
        INDArray o4 = Nd4j.create(DataType.FLOAT, b, h, t, t), o3 = o4.reshape(b * h, t, t), a2 = q4.reshape(b * h * t, d), w2 = Nd4j.rand(DataType.FLOAT, d, t), o2 = o4.reshape(b * h * t, t);
        System.out.println("helpers " + Nd4j.getEnvironment().helpersAllowed());
        if (System.getProperty("verboseOps") != null) { Nd4j.getEnvironment().setVerbose(true); Nd4j.getEnvironment().setDebug(true); Nd4j.exec(new Mmul(q3, k3, o3, null)); Nd4j.exec(new Mmul(a2, w2, o2, null)); Nd4j.getEnvironment().setVerbose(false); Nd4j.getEnvironment().setDebug(false);}
        double flop = 2.0 * b * h * t * t * d;
        time("rank4 matmul", flop, () -> { Nd4j.exec(new Mmul(q4, k4, o4, null)); return null; });
        time("rank3 matmul", flop, () -> { Nd4j.exec(new Mmul(q3, k3, o3, null)); return null; });
        time("rank3 matmul transB", flop, () -> { INDArray kk = q3; INDArray o = o3;
            Nd4j.exec(new Mmul(q3, kk, o, org.nd4j.linalg.api.blas.params.MMulTranspose.builder().transposeB(true).build())); return null; });
        time("rank2 big gemm (same flops)", flop, () -> { Nd4j.exec(new Mmul(a2, w2, o2, null)); return null; });
    }

    static void time(String what, double flop, java.util.function.Supplier<INDArray> f) {
        for (int i = 0; i < 2; i++) f.get();
        long t0 = System.nanoTime();
        int n = 5;
        for (int i = 0; i < n; i++) f.get();
        double s = (System.nanoTime() - t0) / 1e9 / n;
        System.out.printf("%-30s %.1f ms  %.1f GFLOP/s%n", what, s * 1e3, flop / s / 1e9);
    }
}
