package headlens.model;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The session pool: a recycled buffer is handed out once, with the requested shape, and views are never pooled. */
class ClosingMemoryMgrTest {
    @Test
    void poolCapIsTheSystemPropertyElseFortyPercentOfJavacppsPhysicalLimit() {
        String saved = System.getProperty("headlens.pool.mb");
        try {
            System.setProperty("headlens.pool.mb", "300");
            assertEquals(300L << 20, ClosingMemoryMgr.defaultCap());
            System.clearProperty("headlens.pool.mb");
            // surefire runs with -Dorg.bytedeco.javacpp.maxphysicalbytes=8G (pom.xml): 8 GiB / 10 * 4
            assertEquals(8_589_934_592L, org.bytedeco.javacpp.Pointer.maxPhysicalBytes());
            assertEquals(3_435_973_836L, ClosingMemoryMgr.defaultCap());
        } finally {
            if (saved == null) System.clearProperty("headlens.pool.mb"); else System.setProperty("headlens.pool.mb", saved);
        }
    }

    @Test
    void aBufferRecycledTwiceIsHandedOutOnce() {
        long[] shape = {3, 7, 11};               // a length no other test allocates
        INDArray a = Nd4j.createUninitialized(DataType.FLOAT, shape);
        ClosingMemoryMgr.recycle(a);
        ClosingMemoryMgr.recycle(a);             // a second owner releasing the same array must not pool it twice
        INDArray x = ClosingMemoryMgr.uninitialized(DataType.FLOAT, 11, 3, 7);
        INDArray y = ClosingMemoryMgr.uninitialized(DataType.FLOAT, 11, 3, 7);
        assertArrayEquals(new long[] {11, 3, 7}, x.shape());
        assertNotSame(x.data(), y.data());
        assertTrue(x.data() == a.data() || y.data() == a.data(), "the recycled buffer is reused");
        x.assign(1);
        y.assign(2);
        assertTrue(x.meanNumber().doubleValue() == 1 && y.meanNumber().doubleValue() == 2);
    }

    @Test
    void viewsAreNotPooled() {
        INDArray parent = Nd4j.createUninitialized(DataType.FLOAT, 13, 17);
        INDArray view = parent.getRow(2);        // shares the parent's buffer
        ClosingMemoryMgr.recycle(view);
        INDArray fresh = ClosingMemoryMgr.uninitialized(DataType.FLOAT, 17);
        assertNotSame(parent.data(), fresh.data());
    }
}
