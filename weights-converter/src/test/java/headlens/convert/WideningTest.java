package headlens.convert;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Streaming F16/BF16 -> F32 widening: bit-exact against numpy's constants and the IEEE 754 definition, across chunk edges. */
class WideningTest {
    @TempDir Path tmp;

    /** {half bits, float bits} as numpy gives them: {@code np.array(h, np.uint16).view(np.float16).astype(np.float32).view(np.uint32)}. */
    static final int[][] NUMPY = {{0x0000, 0x00000000}, {0x8000, 0x80000000}, {0x0001, 0x33800000}, {0x8001, 0xb3800000},
            {0x03ff, 0x387fc000}, {0x0400, 0x38800000}, {0x3c00, 0x3f800000}, {0xc000, 0xc0000000}, {0x7bff, 0x477fe000},
            {0xfbff, 0xc77fe000}, {0x7c00, 0x7f800000}, {0xfc00, 0xff800000}, {0x7e00, 0x7fc00000}, {0x7d00, 0x7fa00000},
            {0xfe01, 0xffc02000}, {0x7c01, 0x7f802000}, {0x3555, 0x3eaaa000}};

    /** IEEE 754 binary16 by its definition; NaNs keep sign and payload (what numpy and C casts do). */
    static int reference(int h) {
        int s = h >>> 15, e = (h >>> 10) & 31, m = h & 1023;
        if (e == 31 && m != 0) return (s << 31) | 0x7f800000 | (m << 13);
        double v = e == 31 ? Double.POSITIVE_INFINITY : e == 0 ? Math.scalb(m / 1024.0, -14) : Math.scalb(1 + m / 1024.0, e - 15);
        return Float.floatToRawIntBits((float) Math.copySign(v, s == 1 ? -1.0 : 1.0));
    }

    @Test
    void knownValuesMatchNumpy() {
        for (int[] p : NUMPY) {
            assertEquals(p[1], DType.halfToFloatBits((short) p[0]), Integer.toHexString(p[0]));
            assertEquals(p[1], reference(p[0]), "test reference " + Integer.toHexString(p[0]));
        }
        for (int h = 0; h < 65536; h++) assertEquals(reference(h), DType.halfToFloatBits((short) h), Integer.toHexString(h));
    }

    /** A safetensors file written byte by byte (not with our writer): one 1-D tensor of 16-bit patterns. */
    static Path handBuilt(Path file, String dtype, short[] bits) throws IOException {
        String json = "{\"__metadata__\":{\"format\":\"pt\"},\"w\":{\"dtype\":\"" + dtype + "\",\"shape\":[" + bits.length
                + "],\"data_offsets\":[0," + 2L * bits.length + "]}}";
        byte[] h = json.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + 2 * bits.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        for (short s : bits) b.putShort(s);
        Files.write(file, b.array());
        return file;
    }

    /** Known values first, then every 16-bit pattern (a permutation, repeated) until past the first chunk. */
    static short[] patterns() {
        int n = Widening.DEFAULT_CHUNK + 70_001;
        short[] v = new short[n];
        for (int i = 0; i < n; i++) v[i] = (short) (i < NUMPY.length ? NUMPY[i][0] : (i * 40503) & 0xffff);
        return v;
    }

    @Test
    void tensorLargerThanOneChunkWidensBitExactly() throws IOException {
        short[] bits = patterns();
        for (String dt : List.of("F16", "BF16")) {
            Path src = handBuilt(tmp.resolve(dt + ".safetensors"), dt, bits), out = tmp.resolve(dt + "-f32.safetensors");
            Map<String, Tensor> in = Safetensors.read(src);
            Safetensors.writeF32(out, in.values(), Map.of("format", "pt"));
            Tensor w = Safetensors.read(out).get("w");
            assertEquals(DType.F32, w.dtype());
            assertArrayEquals(new long[] {bits.length}, w.shape());
            ByteBuffer f = w.data();
            for (int i = 0; i < bits.length; i++) {
                int h = bits[i] & 0xffff;
                int want = dt.equals("F16") ? reference(h) : h << 16;
                int got = f.getInt(4 * i);
                if (want != got) fail(dt + " element " + i + ": bits " + Integer.toHexString(h) + " -> " + Integer.toHexString(got)
                        + ", want " + Integer.toHexString(want));
            }
            for (int i = 0; i < NUMPY.length && dt.equals("F16"); i++) assertEquals(NUMPY[i][1], f.getInt(4 * i));
        }
    }

    @Test
    void chunkEdgesDoNotMatter() throws IOException {
        short[] bits = patterns();
        ByteBuffer raw = ByteBuffer.allocate(2 * 100_003).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 100_003; i++) raw.putShort(bits[bits.length - 1 - i]);
        raw.flip();
        for (DType dt : List.of(DType.F16, DType.BF16)) {
            Tensor t = new Tensor("t", dt, new long[] {100_003}, raw.duplicate());
            byte[] whole = widen(t, Widening.DEFAULT_CHUNK);
            ByteBuffer b = ByteBuffer.wrap(whole).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < 100_003; i++) {
                int h = t.data().getShort(2 * i) & 0xffff;
                assertEquals(dt == DType.F16 ? reference(h) : h << 16, b.getInt(4 * i));
            }
            for (int chunk : new int[] {1, 7, 4096, 100_002, 100_003, 100_004})
                assertArrayEquals(whole, widen(t, chunk), dt + " chunk " + chunk);
        }
    }

    @Test
    void f32AndIntegerTensorsPassThrough() throws IOException {
        Tensor f = Tensor.ofFloats("f", new long[] {3}, new float[] {1.5f, -0f, Float.NaN});
        Tensor l = Tensor.ofLongs("l", new long[] {2}, new long[] {7, -1L << 40});
        Path out = tmp.resolve("mixed.safetensors");
        Safetensors.writeF32(out, List.of(f, l), Map.of());
        Map<String, Tensor> back = Safetensors.read(out);
        assertTrue(f.sameContent(back.get("f")));
        assertTrue(l.sameContent(back.get("l")));
    }

    private static byte[] widen(Tensor t, int chunk) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        new Widening(chunk).writeF32(t, Channels.newChannel(bos));
        assertEquals(4 * t.numel(), bos.size());
        return bos.toByteArray();
    }
}
