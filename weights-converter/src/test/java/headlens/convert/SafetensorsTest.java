package headlens.convert;

import headlens.core.HeadlensException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class SafetensorsTest {
    @TempDir Path tmp;

    static Path fixture(String name) {
        try {
            return Path.of(SafetensorsTest.class.getResource("/headlens/convert/fixture/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The fixture was written by numpy (make_safetensors_fixture.py); expected values are IEEE constants. */
    @Test
    void readsNumpyWrittenFileWithExactWidening() {
        Safetensors.Contents c = Safetensors.readWithMetadata(fixture("dtypes.safetensors"));
        assertEquals(List.of("f32", "f16", "bf16", "i64"), List.copyOf(c.tensors().keySet()));
        assertEquals(Map.of("format", "pt", "source", "numpy fixture"), c.metadata());
        Tensor f32 = c.tensors().get("f32");
        assertArrayEquals(new long[]{2, 3}, f32.shape());
        assertArrayEquals(new float[]{0f, 1f, -2.5f, Float.MAX_VALUE, Float.MIN_VALUE, -0f}, f32.toFloats());
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(f32.toFloats()[5]));
        Tensor f16 = c.tensors().get("f16");
        assertEquals(DType.F16, f16.dtype());
        assertArrayEquals(new float[]{1f, -2.5f, 65504f, 0x1p-24f, 0x1p-14f, Float.POSITIVE_INFINITY}, f16.toFloats());
        Tensor bf16 = c.tensors().get("bf16");
        assertArrayEquals(new float[]{1f, -2.5f, 3.3895314e38f, 0x1p-133f}, bf16.toFloats());
        assertArrayEquals(new long[]{1, -2, 1L << 40}, c.tensors().get("i64").toLongs());
    }

    @Test
    void halfWideningMatchesDefinitionForAllBitPatterns() {
        // value = (-1)^s * 2^(e-15) * (1 + m/1024), subnormal 2^-14 * m/1024 (IEEE 754 binary16)
        for (int bits = 0; bits < 65536; bits++) {
            int s = bits >> 15, e = (bits >> 10) & 31, m = bits & 1023;
            float got = DType.halfToFloat((short) bits);
            if (e == 31) {
                assertTrue(m == 0 ? Float.isInfinite(got) : Float.isNaN(got), "bits " + bits);
                continue;
            }
            double v = e == 0 ? Math.scalb(m / 1024.0, -14) : Math.scalb(1 + m / 1024.0, e - 15);
            if (s == 1) v = -v;
            assertEquals(v, got, 0.0, "bits " + Integer.toHexString(bits));
            assertEquals(s == 1, (Float.floatToRawIntBits(got) >>> 31) == 1);
        }
    }

    @Test
    void roundTripIsBitIdenticalAndAtomic() throws IOException {
        Map<String, Tensor> in = Safetensors.read(fixture("dtypes.safetensors"));
        Path out = tmp.resolve("out.safetensors");
        Files.writeString(out, "old content");
        Safetensors.write(out, in.values(), Map.of("k", "v"));
        Safetensors.Contents back = Safetensors.readWithMetadata(out);
        assertEquals(Map.of("k", "v"), back.metadata());
        for (Tensor t : in.values()) assertTrue(t.sameContent(back.tensors().get(t.name())), t.name());
        try (var files = Files.list(tmp)) {
            assertEquals(List.of(out), files.toList(), "no temporary file left behind");
        }
        long headerLen = ByteBuffer.wrap(Files.readAllBytes(out), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLen % 8, "data 8-byte aligned");
    }

    // ------------------------------------------------------------------ bad input

    private Path file(String header, int dataBytes) throws IOException {
        return file(header.getBytes(StandardCharsets.UTF_8), dataBytes);
    }

    private Path file(byte[] header, int dataBytes) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header);
        Path p = tmp.resolve("bad.safetensors");
        Files.write(p, b.array());
        return p;
    }

    private static String fail(Path p) {
        HeadlensException e = assertThrows(HeadlensException.class, () -> Safetensors.read(p));
        assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
        return e.getMessage();
    }

    @Test
    void truncatedFile() throws IOException {
        byte[] all = Files.readAllBytes(fixture("dtypes.safetensors"));
        Path p = tmp.resolve("trunc.safetensors");
        for (int cut : new int[]{0, 5, 8, 40, all.length - 1}) {
            Files.write(p, java.util.Arrays.copyOf(all, cut));
            String m = fail(p);
            if (cut == all.length - 1) assertTrue(m.contains("truncated") && m.contains("'"), m);
        }
    }

    @Test
    void headerOver100MBRefusedWithoutReadingIt() throws IOException {
        Path p = tmp.resolve("huge.safetensors");
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(100_000_001L).putLong(0);
        Files.write(p, b.array());
        assertTrue(fail(p).contains("header length 100000001"));
        b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L).putLong(0);
        Files.write(p, b.array());
        assertTrue(fail(p).contains("18446744073709551615"));
    }

    @Test
    void unknownDtype() throws IOException {
        String m = fail(file("{\"w\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8));
        assertTrue(m.contains("'w'") && m.contains("F64"), m);
    }

    @Test
    void overlappingOffsets() throws IOException {
        String m = fail(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12));
        assertTrue(m.contains("'b'") && m.contains("overlap"), m);
    }

    @Test
    void gapAndOutOfFileOffsets() throws IOException {
        assertTrue(fail(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8)).contains("gap"));
        String m = fail(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8));
        assertTrue(m.contains("'a'") && m.contains("past the end"), m);
        assertTrue(fail(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 8)).contains("cover 4"));
    }

    @Test
    void shapeDoesNotMatchSpan() throws IOException {
        String m = fail(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8));
        assertTrue(m.contains("'a'") && m.contains("12 bytes"), m);
        m = fail(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,8]}}", 8));
        assertTrue(m.contains("overflows"), m);
        assertTrue(fail(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,8]}}", 8)).contains("bad dimension"));
    }

    @Test
    void malformedJsonAndDuplicates() throws IOException {
        assertTrue(fail(file("{\"a\":", 0)).contains("not valid JSON"));
        assertTrue(fail(file("[1,2]", 0)).contains("'{'"));
        String dup = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        assertTrue(fail(file(dup, 4)).contains("Duplicate"));
        assertTrue(fail(file("{\"__metadata__\":{\"a\":1}}", 0)).contains("__metadata__"));
        assertTrue(fail(file("{\"a\":" + "[".repeat(200) + "]".repeat(200) + "}", 0)).contains("JSON"));
    }
}
