package headlens.convert;

import headlens.core.HeadlensException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The tensor-bundle reader on bundles written from the format's documentation ({@link TfFixtures}). */
class TfBundleTest {
    @TempDir Path tmp;

    @Test
    void readsEveryTensorOfAMultiBlockIndex() throws IOException {
        TfFixtures.Options o = new TfFixtures.Options();
        o.blockSize = 64;                  // a data block every couple of entries: dozens of blocks
        o.restartInterval = 3;             // prefix compression across entries, restarts in between
        List<TfFixtures.T> ts = TfFixtures.tinyBert("module/", 1, true);
        Map<String, Long> offsets = TfFixtures.write(tmp.resolve("b"), ts, o);
        TfBundle.Index idx = TfBundle.readIndex(tmp.resolve("b"));
        assertEquals(1, idx.numShards());
        assertEquals(ts.size(), idx.entries().size());
        assertEquals(0L, offsets.get(ts.get(0).name()), "the first tensor sits at offset 0 (proto3 omits it)");
        Map<String, Tensor> read = TfBundle.read(tmp.resolve("b"), n -> true);
        for (TfFixtures.T t : ts) {
            Tensor r = read.get(t.name());
            assertNotNull(r, t.name());
            assertArrayEquals(t.shape(), r.shape(), t.name());
            byte[] bytes = new byte[(int) r.byteSize()];
            r.data().get(bytes);
            assertArrayEquals(t.bytes(), bytes, t.name());
        }
        assertEquals(DType.I64, read.get("global_step").dtype());
        assertEquals(0, read.get("global_step").rank(), "a scalar: shape omitted in the entry");
        assertEquals(1000L, read.get("global_step").toLongs()[0]);
        // index order is the sorted key order, whatever the write order
        List<String> names = idx.entries().stream().map(TfBundle.Entry::name).toList();
        assertEquals(names.stream().sorted().toList(), names);
    }

    @Test
    void singleBlockAndOneEntryPerRestartAgree() throws IOException {
        List<TfFixtures.T> ts = TfFixtures.tinyBert("bert_", 2, false);
        TfFixtures.Options big = new TfFixtures.Options();
        big.blockSize = 1 << 20;
        big.restartInterval = 1;
        TfFixtures.write(tmp.resolve("one"), ts, big);
        TfFixtures.Options small = new TfFixtures.Options();
        small.blockSize = 1;
        TfFixtures.write(tmp.resolve("many"), ts, small);
        assertEquals(describe(TfBundle.readIndex(tmp.resolve("one"))), describe(TfBundle.readIndex(tmp.resolve("many"))));
        assertEquals(ts.size(), TfBundle.readIndex(tmp.resolve("many")).entries().size());
    }

    static List<String> describe(TfBundle.Index idx) {
        return idx.entries().stream().map(e -> e.name() + " " + e.dtype() + Arrays.toString(e.shape()) + " @" + e.offset() + "+" + e.size() + " crc " + e.crc32c()).toList();
    }

    @Test
    void maskIsTensorFlowsOnAKnownValue() {
        // crc32c("123456789") = 0xe3069283 (the standard check value); masked per crc32c.h
        int crc = TfBundle.crc32c(java.nio.ByteBuffer.wrap("123456789".getBytes()));
        assertEquals(0xe3069283, crc);
        int rot = (0xe3069283 >>> 15) | (0xe3069283 << 17);
        assertEquals(rot + 0xa282ead8, TfBundle.mask(crc));
    }

    private HeadlensException refused(TfFixtures.Options o, List<TfFixtures.T> ts) throws IOException {
        TfFixtures.write(tmp.resolve("x"), ts, o);
        return assertThrows(HeadlensException.class, () -> TfBundle.read(tmp.resolve("x"), n -> true));
    }

    @Test
    void refusesCompressedBlocksBigEndianAndUnknownDtypes() throws IOException {
        List<TfFixtures.T> ts = TfFixtures.tinyBert("", 3, false);
        TfFixtures.Options snappy = new TfFixtures.Options();
        snappy.compressionType = 1;
        assertTrue(refused(snappy, ts).getMessage().contains("compressed block"));
        TfFixtures.Options big = new TfFixtures.Options();
        big.endianness = 1;
        assertTrue(refused(big, ts).getMessage().contains("big-endian"));
        TfFixtures.Options str = new TfFixtures.Options();
        TfFixtures.T first = ts.get(0);
        str.forge.put(first.name(), new long[]{7, 0, first.bytes().length});
        HeadlensException e = refused(str, ts);
        assertTrue(e.getMessage().contains("DT_STRING") && e.getMessage().contains(first.name()), e.getMessage());
    }

    @Test
    void refusesSpansPastTheDataAndOverlaps() throws IOException {
        List<TfFixtures.T> ts = TfFixtures.tinyBert("", 4, false);
        TfFixtures.T last = ts.get(ts.size() - 1), second = ts.get(1);
        TfFixtures.Options past = new TfFixtures.Options();
        past.forge.put(last.name(), new long[]{1, 1L << 20, last.bytes().length});
        HeadlensException e = refused(past, ts);
        assertTrue(e.getMessage().contains(last.name()) && e.getMessage().contains("points past the data"), e.getMessage());
        TfFixtures.Options overlap = new TfFixtures.Options();
        overlap.forge.put(second.name(), new long[]{1, 4, second.bytes().length});   // starts inside the first tensor
        e = refused(overlap, ts);
        assertTrue(e.getMessage().contains("overlap") && e.getMessage().contains(second.name()), e.getMessage());
        TfFixtures.Options size = new TfFixtures.Options();
        size.forge.put(second.name(), new long[]{1, 0, second.bytes().length + 4});
        e = refused(size, ts);
        assertTrue(e.getMessage().contains(second.name()) && e.getMessage().contains("needs"), e.getMessage());
    }

    @Test
    void refusesACorruptedTensorAndATruncatedShard() throws IOException {
        List<TfFixtures.T> ts = TfFixtures.tinyBert("", 5, false);
        TfFixtures.write(tmp.resolve("c"), ts, new TfFixtures.Options());
        Path data = tmp.resolve("c.data-00000-of-00001");
        byte[] b = Files.readAllBytes(data);
        TfFixtures.T victim = ts.get(4);
        long off = 0;
        for (TfFixtures.T t : ts) { if (t == victim) break; off += t.bytes().length; }
        b[(int) off + 1] ^= 0x10;
        Files.write(data, b);
        HeadlensException e = assertThrows(HeadlensException.class, () -> TfBundle.read(tmp.resolve("c"), n -> false));
        assertTrue(e.getMessage().contains("crc32c") && e.getMessage().contains(victim.name()) && e.getMessage().contains(data.toString()), e.getMessage());
        b[(int) off + 1] ^= 0x10;
        Files.write(data, Arrays.copyOf(b, b.length - 3));
        e = assertThrows(HeadlensException.class, () -> TfBundle.read(tmp.resolve("c"), n -> true));
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains(ts.get(ts.size() - 1).name()), e.getMessage());
    }

    @Test
    void refusesADamagedIndexBlock() throws IOException {
        TfFixtures.write(tmp.resolve("d"), TfFixtures.tinyBert("", 6, false), new TfFixtures.Options());
        Path index = tmp.resolve("d.index");
        byte[] b = Files.readAllBytes(index);
        b[10] ^= 1;
        Files.write(index, b);
        HeadlensException e = assertThrows(HeadlensException.class, () -> TfBundle.readIndex(tmp.resolve("d")));
        assertTrue(e.getMessage().startsWith(index.toString()) && e.getMessage().contains("crc32c"), e.getMessage());
        Files.write(index, Arrays.copyOf(b, 30));
        e = assertThrows(HeadlensException.class, () -> TfBundle.readIndex(tmp.resolve("d")));
        assertTrue(e.getMessage().contains("footer"), e.getMessage());
    }
}
