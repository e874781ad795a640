package headlens.bench;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Diagnostic: does INDArray.close() give native memory back? */
public final class CloseProbe {
    public static void main(String[] args) throws Exception {
        System.out.printf("start rss %.2f GB%n", MemoryBench.rssGb());
        for (int i = 0; i < 200; i++) {
            INDArray a = Nd4j.createUninitialized(DataType.FLOAT, 32, 12, 128, 128);
            a.assign(1);
            INDArray b = Nd4j.createUninitialized(DataType.FLOAT, 32, 12, 128, 128);
            Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax(a, b, -1));
            if (i == 0) System.out.printf("closeable %s data.closeable %s attached %s view %s%n", a.closeable(), a.data().closeable(), a.isAttached(), a.isView());
            a.close(); b.close();
            if (i == 0) System.out.printf("wasClosed %s%n", a.wasClosed());
            if (i % 40 == 0) System.out.printf("after %d: rss %.2f GB%n", i, MemoryBench.rssGb());
        }
        System.out.printf("end rss %.2f GB%n", MemoryBench.rssGb());
    }
}
