package headlens.io;

import headlens.core.HeadlensException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The streaming .npz writer, checked with a reader that shares no code with {@link Npz}: {@link ZipFile} (central
 * directory, ZIP64 included) and the .npy header parsed by hand as NumPy's format spec (format 1.0) defines it:
 * magic {@code \x93NUMPY}, version 1.0, a little-endian uint16 header length, an ASCII dict literal with keys
 * descr / fortran_order / shape, padded with spaces and ended by '\n' so that the data starts at a multiple of 64 bytes.
 */
class NpzTest {
    @TempDir Path tmp;

    /** One .npy entry as the spec reads it. */
    record Npy(String descr, boolean fortran, long[] shape, ByteBuffer data) {}

    private static final Pattern DICT = Pattern.compile(
            "\\{'descr': '([<>|][a-z]\\d+)', 'fortran_order': (True|False), 'shape': \\(((?:\\d+, )*\\d*,?|\\d+(?:, \\d+)+)\\), \\} *\n");

    static Npy parse(InputStream in, long entrySize) throws IOException {
        byte[] pre = in.readNBytes(10);
        assertArrayEquals(new byte[]{(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}, Arrays.copyOf(pre, 8), "magic and version 1.0");
        int len = (pre[8] & 0xff) | (pre[9] & 0xff) << 8;
        assertEquals(0, (10 + len) % 64, "data must start at a multiple of 64 bytes");
        String dict = new String(in.readNBytes(len), StandardCharsets.US_ASCII);
        Matcher m = DICT.matcher(dict);
        assertTrue(m.matches(), "header dict: " + dict);
        String dims = m.group(3).replace(",", " ").trim();
        long[] shape = dims.isEmpty() ? new long[0] : Arrays.stream(dims.split("\\s+")).mapToLong(Long::parseLong).toArray();
        byte[] data = in.readAllBytes();
        assertEquals(entrySize - 10 - len, data.length, "entry size = header + data");
        return new Npy(m.group(1), m.group(2).equals("True"), shape, ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN));
    }

    static List<String> names(ZipFile z) {
        List<String> out = new ArrayList<>();
        for (ZipEntry e : Collections.list(z.entries())) out.add(e.getName());
        return out;
    }

    @Test
    void streamedArraysFollowTheNpyFormatInOrder() throws Exception {
        Path f = tmp.resolve("a.npz");
        float[] fv = {1.5f, -2f, 3.25f, 0f, 1e-7f, -0f};
        long[] lv = {101, -7, Long.MAX_VALUE};
        Npz.write(f, w -> {
            w.add("hidden_0", new long[]{2, 3}, fv);
            w.add("input_ids_0", new long[]{3}, lv);
            w.add("scalar", Nd4j.scalar(2.5));                                   // float64, shape ()
            w.add("ints", Nd4j.createFromArray(new int[][]{{1, 2}, {3, 4}}).transpose());  // a view: written in C order
        });
        try (ZipFile z = new ZipFile(f.toFile())) {
            assertEquals(List.of("hidden_0.npy", "input_ids_0.npy", "scalar.npy", "ints.npy"), names(z));
            Npy h = parse(z.getInputStream(z.getEntry("hidden_0.npy")), z.getEntry("hidden_0.npy").getSize());
            assertEquals("<f4", h.descr());
            assertFalse(h.fortran());
            assertArrayEquals(new long[]{2, 3}, h.shape());
            for (float v : fv) assertEquals(Float.floatToIntBits(v), Float.floatToIntBits(h.data().getFloat()));
            Npy ids = parse(z.getInputStream(z.getEntry("input_ids_0.npy")), z.getEntry("input_ids_0.npy").getSize());
            assertEquals("<i8", ids.descr());
            assertArrayEquals(new long[]{3}, ids.shape());
            for (long v : lv) assertEquals(v, ids.data().getLong());
            Npy s = parse(z.getInputStream(z.getEntry("scalar.npy")), z.getEntry("scalar.npy").getSize());
            assertEquals("<f8", s.descr());
            assertArrayEquals(new long[0], s.shape());
            assertEquals(2.5, s.data().getDouble());
            Npy t = parse(z.getInputStream(z.getEntry("ints.npy")), z.getEntry("ints.npy").getSize());
            assertEquals("<i4", t.descr());
            assertArrayEquals(new long[]{2, 2}, t.shape());
            for (int v : new int[]{1, 3, 2, 4}) assertEquals(v, t.data().getInt());
        }
        // and our own reader agrees
        Map<String, INDArray> back = Npz.read(f);
        assertEquals(List.of("hidden_0", "input_ids_0", "scalar", "ints"), List.copyOf(back.keySet()));
        assertArrayEquals(fv, back.get("hidden_0").dup('c').data().asFloat());
    }

    /** 70,000 entries: more than the 65,535 a plain zip end record counts, so the ZIP64 end records must be there. */
    @Test
    void moreThan65535EntriesGetZip64EndRecords() throws Exception {
        Path f = tmp.resolve("many.npz");
        int n = 70_000;
        Npz.write(f, w -> { for (int i = 0; i < n; i++) w.add("a_" + i, new long[]{1}, new float[]{i}); });
        try (ZipFile z = new ZipFile(f.toFile())) {
            assertEquals(n, z.size());
            List<String> names = names(z);
            for (int i : new int[]{0, 65_534, 65_535, 65_536, n - 1}) {
                assertEquals("a_" + i + ".npy", names.get(i));
                ZipEntry e = z.getEntry("a_" + i + ".npy");
                assertEquals(i, parse(z.getInputStream(e), e.getSize()).data().getFloat(), 0);
            }
        }
        // the end of the file, by APPNOTE 4.3.14-4.3.16: ZIP64 end record, its locator, then the classic record saying 0xFFFF
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "r")) {
            byte[] tail = new byte[56 + 20 + 22];
            raf.seek(raf.length() - tail.length);
            raf.readFully(tail);
            ByteBuffer b = ByteBuffer.wrap(tail).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(0x06064b50, b.getInt(0), "ZIP64 end of central directory record");
            assertEquals(n, b.getLong(24), "ZIP64 record: entries on this disk");
            assertEquals(n, b.getLong(32), "ZIP64 record: entries in all");
            assertEquals(0x07064b50, b.getInt(56), "ZIP64 end of central directory locator");
            assertEquals(0x06054b50, b.getInt(76), "end of central directory record");
            assertEquals(0xFFFF, b.getShort(76 + 10) & 0xFFFF, "classic record defers the count to ZIP64");
        }
        assertEquals(n, Npz.read(f).size());
    }

    @Test
    void aFailureMidwayLeavesNothingBehind() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("out")), f = dir.resolve("x.npz");
        HeadlensException e = assertThrows(HeadlensException.class, () -> Npz.write(f, w -> {
            w.add("a", new long[]{1}, new float[]{1});
            throw new HeadlensException("input.txt:2: broken");
        }));
        assertEquals("input.txt:2: broken", e.getMessage());
        try (var files = Files.list(dir)) { assertEquals(List.of(), files.toList(), "no target, no temporary file"); }
        assertThrows(IllegalArgumentException.class, () -> Npz.write(f, w -> w.add("bad", new long[]{2, 2}, new float[3])));
        assertFalse(Files.exists(f));
    }
}
