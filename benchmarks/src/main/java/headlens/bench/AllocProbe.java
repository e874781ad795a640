package headlens.bench;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Diagnostic: cost of allocating (and closing) an uninitialised native array, by size. */
public final class AllocProbe {
    public static void main(String[] args) {
        for (long n : new long[]{1 << 18, 1 << 20, 1 << 22, 6_291_456L}) {
            for (int rep = 0; rep < 2; rep++) {
                long t0 = System.nanoTime();
                int k = 50;
                for (int i = 0; i < k; i++) { INDArray a = Nd4j.createUninitialized(DataType.FLOAT, n); a.close(); }
                double ms = (System.nanoTime() - t0) / 1e6 / k;
                System.out.printf("%,d floats (%.1f MB): %.3f ms per alloc+close (%.2f GB/s)%n", n, n * 4 / 1e6, ms, n * 4 / 1e6 / ms);
            }
        }
    }
}
