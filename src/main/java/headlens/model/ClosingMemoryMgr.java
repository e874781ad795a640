package headlens.model;

import org.bytedeco.javacpp.Pointer;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.autodiff.samediff.internal.memory.AbstractMemoryMgr;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * SameDiff session memory: a bounded pool of native buffers that the session's released arrays go back to.
 *
 * <p>Why: in SameDiff 1.0.0-M2.1 every op output is a fresh native allocation, and ND4J's allocator touches every page
 * of it (measured: ~2.5 GB/s, i.e. 10 ms for one [32, 12, 128, 128] float tensor; a MiniLM forward at 32 × 128
 * allocates ~2 GB, so more time went into allocating than into the ops). The default manager
 * ({@code ArrayCacheMemoryMgr}) caches by exact shape but was slower still; the no-op manager leaves every buffer to
 * the garbage collector, which JavaCPP triggers only near {@code maxphysicalbytes}. Here a released array's buffer
 * is kept (keyed by data type and length) and handed out again, wrapped in a new array object with the requested
 * shape (a new id: the session tracks released arrays by id). The pool holds at most {@link #capBytes()} of idle
 * buffers; past that the oldest are closed, i.e. freed at once. It also yields when resident memory nears JavaCPP's
 * {@code maxphysicalbytes}: the live arrays of a training step (3.4 GB for MiniLM at 32 × 128) come first.
 *
 * <p>Safety: the session releases an array only after its last consumer ran — the contract under which the default
 * manager recycles arrays too. Only whole, contiguous, closeable buffers are pooled; views are left alone.
 * Buffers come back uninitialised, as from {@code Nd4j.createUninitialized}: op outputs are fully overwritten.
 */
public final class ClosingMemoryMgr extends AbstractMemoryMgr {
    private static volatile boolean installed;
    private static final Pool POOL = new Pool(defaultCap());

    /** Diagnostics: allocations served from the pool vs fresh, and the pool's idle bytes. */
    public static String stats() {
        return POOL.stats();
    }

    /** Idle bytes the pool may keep (system property {@code headlens.pool.mb}; default {@link #defaultCap()}). */
    public static long capBytes() {
        return POOL.cap;
    }

    /**
     * {@code -Dheadlens.pool.mb}, else 40% of JavaCPP's {@code maxphysicalbytes} (at least 256 MiB): the limit the user set
     * for native memory decides how much of it idle buffers may hold. Measured (interleaved A/B, BERT-base training step
     * at 16 × 128 under a 12 GB limit): 12.38 / 12.11 s with the old fixed 1.5 GiB pool (~700 fresh allocations per step),
     * 9.74 / 10.39 s with this default's 4.8 GiB (benchmarks/results/pool-ab-bert-base.txt); a 4 GB limit gives 1.6 GiB,
     * about the old fixed 1.5.
     */
    static long defaultCap() {
        Long mb = Long.getLong("headlens.pool.mb");
        if (mb != null) return mb << 20;
        long max = Pointer.maxPhysicalBytes();
        return Math.max(256L << 20, max > 0 ? max / 10 * 4 : 1536L << 20);
    }

    /** Frees every idle pooled buffer now. */
    public static void drain() {
        POOL.drain();
    }

    /**
     * Between two parts of a long streamed run (encode, predict, eval): frees the idle buffers, then a full collection,
     * after which the collector also gives unused heap back. Without it the heap grew toward {@code -Xmx} with the
     * input (2,500 → 8,000 EWT lines encoded: committed heap 274 → 788 MiB, the pool drained each time).
     */
    public static void trim() {
        POOL.drain();
        System.gc();
    }

    /**
     * For a run of batches sorted by length: before a batch of a new length, the idle buffers are freed. Such a run never
     * asks for a shorter length's buffers again, but the pool would keep every length's up to its cap, so resident memory
     * grew with the number of lengths met (a pool of 512 EWT lines: 1.3 GiB idle at its end). Within a length, buffers
     * are still reused.
     */
    public static final class LengthSorted {
        private long last = -1;

        public void before(long length) {
            if (length != last && last >= 0) POOL.drain();
            last = length;
        }
    }

    /** Gives an array the caller owns (and no longer uses) back to the pool; e.g. a step's gradients. */
    public static void recycle(INDArray array) {
        POOL.release(array);
    }

    /** An uninitialised array, from the pool when a released buffer of that size is idle (give it back with {@link #recycle}). */
    public static INDArray uninitialized(DataType type, long... shape) {
        return POOL.allocate(type, shape, 'c');
    }

    /** Makes every SameDiff session of this JVM (gradient functions included) use this manager. Idempotent. */
    public static synchronized void install() {
        if (installed) return;
        SameDiff.bindInferenceFactory(sd -> {
            InferenceSession s = new InferenceSession(sd);
            s.setMmgr(new ClosingMemoryMgr());
            return s;
        });
        installed = true;
    }

    @Override
    public INDArray allocate(boolean detached, DataType dataType, long... shape) {
        return POOL.allocate(dataType, shape, 'c');
    }

    @Override
    public INDArray allocate(boolean detached, LongShapeDescriptor descriptor) {
        if (descriptor.isEmpty()) return Nd4j.create(descriptor);
        return POOL.allocate(descriptor.dataType(), descriptor.getShape(), descriptor.getOrder());
    }

    @Override
    public void release(INDArray array) {
        POOL.release(array);
    }

    @Override
    public void close() {}

    /** Idle buffers by (data type, length), oldest evicted first when over the cap. */
    private static final class Pool {
        private record Key(DataType type, long length) {}
        private static final class Entry {
            final Key key; final DataBuffer buffer; boolean taken;
            Entry(Key key, DataBuffer buffer) { this.key = key; this.buffer = buffer; }
        }

        final long cap;
        private final Map<Key, ArrayDeque<Entry>> idle = new HashMap<>();
        private final ArrayDeque<Entry> age = new ArrayDeque<>();      // oldest first; may hold taken entries
        private final Map<DataBuffer, Entry> idleByBuffer = new IdentityHashMap<>();   // a buffer is pooled at most once
        private long idleBytes, hits, misses, evicted;

        Pool(long cap) { this.cap = cap; }

        synchronized INDArray allocate(DataType type, long[] shape, char order) {
            long length = 1;
            for (long s : shape) length *= s;
            ArrayDeque<Entry> q = idle.get(new Key(type, length));
            Entry e;
            while (q != null && (e = q.pollLast()) != null) {            // most recently released: warmest in cache
                if (e.taken) continue;
                take(e);
                hits++;
                return Nd4j.create(e.buffer, shape, Nd4j.getStrides(shape, order), 0, order);
            }
            misses++;
            if (length * type.width() >= BIG && idleBytes > 0 && nearPhysicalLimit()) evictHalf();   // room first
            return Nd4j.createUninitialized(type, shape, order);
        }

        synchronized void release(INDArray a) {
            if (a == null || a.wasClosed() || !a.closeable()) return;
            DataBuffer b = a.data();
            if (idleByBuffer.containsKey(b)) return;                    // released twice (e.g. by two owners): pooled already
            long length = a.length();
            if (length == 0 || b.length() != length || b.offset() != 0 || !a.isR() && !a.isZ() && !a.isB()) {
                a.close();
                return;
            }
            Key k = new Key(a.dataType(), length);
            if (bytes(k) > cap) { a.close(); return; }
            if (bytes(k) >= BIG && nearPhysicalLimit()) {          // the live arrays need the room: give it back now
                a.close();
                evictHalf();
                return;
            }
            Entry e = new Entry(k, b);
            idleByBuffer.put(b, e);
            idle.computeIfAbsent(k, x -> new ArrayDeque<>()).addLast(e);
            age.addLast(e);
            idleBytes += bytes(k);
            while (idleBytes > cap) evictOldest();
            if (age.size() > 4 * idleByBuffer.size() + 1024) compact();
        }

        /** Marks an idle entry as handed out (or evicted): it leaves the idle accounting. */
        private void take(Entry e) {
            e.taken = true;
            idleByBuffer.remove(e.buffer);
            idleBytes -= bytes(e.key);
        }

        private void evictOldest() {
            Entry e = age.pollFirst();
            if (e == null || e.taken) return;
            take(e);
            evicted++;
            e.buffer.close();
        }

        private void evictHalf() {
            long keep = idleBytes / 2;
            while (idleBytes > keep) evictOldest();
        }

        private void compact() {
            age.removeIf(x -> x.taken);
            for (ArrayDeque<Entry> q : idle.values()) q.removeIf(x -> x.taken);
            idle.values().removeIf(ArrayDeque::isEmpty);
        }

        synchronized void drain() {
            while (!idleByBuffer.isEmpty() && !age.isEmpty()) evictOldest();
            compact();
        }

        private static final long BIG = 1 << 20;

        /**
         * Resident memory above 60% of JavaCPP's maxphysicalbytes (the limit at which it would throw). A MiniLM training
         * step at 32 × 128 keeps ~2.8 GB of arrays alive for backprop; with idle buffers kept up to 85% (75%) of a 4 GB
         * limit, 200 such steps peaked at 4.07 (3.83) GiB; at 60%, 3.56 GiB (benchmarks/README.md, "Memory").
         */
        private static boolean nearPhysicalLimit() {
            long max = Pointer.maxPhysicalBytes();
            return max > 0 && Pointer.physicalBytes() > max / 100 * 60;
        }

        private static long bytes(Key k) {
            return k.length * k.type.width();
        }

        synchronized String stats() {
            return String.format("pool: %d hits, %d fresh allocations, %d evicted, %d idle buffers (%d MiB)",
                    hits, misses, evicted, idleByBuffer.size(), idleBytes >> 20);
        }
    }
}
