package headlens.convert;

import headlens.core.HeadlensException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.*;

class TorchZipTest {
    @TempDir Path tmp;

    /** Fixture written by make_torch_fixture.py (Python pickle emulating torch.save) and its safetensors twin. */
    @Test
    void binConvertsToTheSameTensorsAsItsSafetensorsTwin() throws IOException {
        Path bin = SafetensorsTest.fixture("torch-bin"), twin = SafetensorsTest.fixture("torch-twin");
        Map<String, Tensor> raw = TorchZip.read(bin.resolve("pytorch_model.bin"));
        Map<String, Tensor> st = Safetensors.read(twin.resolve("model.safetensors"));
        assertEquals(st.keySet(), raw.keySet());
        for (Tensor t : st.values()) assertTrue(t.sameContent(raw.get(t.name())), t.name());   // strided view, offset, tied storage
        Converter.Report r = Converter.convert(bin, tmp.resolve("a"));
        assertEquals("PyTorch zip", r.format());
        assertEquals(List.of("cls.predictions.bias", "cls.predictions.decoder.weight"), r.droppedHeads());
        Converter.convert(twin, tmp.resolve("b"));
        assertArrayEquals(Files.readAllBytes(tmp.resolve("b/model.safetensors")), Files.readAllBytes(tmp.resolve("a/model.safetensors")));
    }

    // ------------------------------------------------------------------ malicious input

    /** Pickle bytes assembled by hand. */
    static final class P {
        final ByteArrayOutputStream b = new ByteArrayOutputStream();
        P op(int... ops) { for (int o : ops) b.write(o); return this; }
        P global(String m, String n) { op('c'); raw(m + "\n" + n + "\n"); return this; }
        P str(String s) {
            byte[] u = s.getBytes(StandardCharsets.UTF_8);
            op('X'); b.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(u.length).array(), 0, 4); b.write(u, 0, u.length);
            return this;
        }
        P raw(String s) { byte[] u = s.getBytes(StandardCharsets.US_ASCII); b.write(u, 0, u.length); return this; }
        byte[] bytes() { return b.toByteArray(); }
    }

    private static String refused(byte[] pickle) {
        HeadlensException e = assertThrows(HeadlensException.class, () -> RestrictedUnpickler.stateDict("evil.pkl", pickle));
        assertTrue(e.getMessage().startsWith("evil.pkl: "), e.getMessage());
        return e.getMessage();
    }

    @Test
    void dangerousGlobalsAreRefusedWithoutSideEffects() {
        Path marker = tmp.resolve("pwned");
        String[][] globals = {{"os", "system"}, {"posix", "system"}, {"builtins", "eval"}, {"builtins", "exec"}, {"__builtin__", "eval"},
                {"subprocess", "Popen"}, {"torch", "load"}, {"numpy.core.multiarray", "_reconstruct"}, {"collections", "namedtuple"}};
        for (String[] g : globals) {
            byte[] p = new P().op(0x80, 2).global(g[0], g[1]).str("touch " + marker).op(0x85, 'R', '.').bytes();
            String m = refused(p);
            assertTrue(m.contains("global '" + g[0] + "." + g[1] + "' is not allowed"), m);
        }
        // STACK_GLOBAL route (protocol 4) too
        String m = refused(new P().op(0x80, 4).op(0x8c, 2).raw("os").op(0x8c, 6).raw("system").op(0x93).str("x").op(0x85, 'R', '.').bytes());
        assertTrue(m.contains("'os.system'"), m);
        assertFalse(Files.exists(marker));
    }

    @Test
    void nestedReduceBuildAndOtherOpcodesAreRefused() {
        // OrderedDict()() : REDUCE on a REDUCE result
        assertTrue(refused(new P().op(0x80, 2).global("collections", "OrderedDict").op(')', 'R', ')', 'R', '.').bytes()).contains("REDUCE on a dict"));
        // OrderedDict called with arguments
        assertTrue(refused(new P().op(0x80, 2).global("collections", "OrderedDict").str("a").op(0x85, 'R', '.').bytes()).contains("with arguments"));
        // calling a storage type
        assertTrue(refused(new P().op(0x80, 2).global("torch", "FloatStorage").op(')', 'R', '.').bytes()).contains("not allowed"));
        // BUILD on a global
        assertTrue(refused(new P().op(0x80, 2).global("collections", "OrderedDict").op('}', 'b', '.').bytes()).contains("BUILD"));
        // INST, OBJ, NEWOBJ, PERSID (text), EXT1
        for (int op : new int[]{'i', 'o', 0x81, 'P', 0x82})
            assertTrue(refused(new P().op(0x80, 2, op, '.').bytes()).contains("is not allowed"));
        // top level not a dict / values not tensors
        assertTrue(refused(new P().op(0x80, 2, 'N', '.').bytes()).contains("not a state dict"));
        assertTrue(refused(new P().op(0x80, 2, '}').str("w").op('K', 1, 's', '.').bytes()).contains("'w'"));
    }

    @Test
    void hugeNegativeAndDeepStructuresAreRefused() {
        // BINUNICODE with a 4 GB length, LONG_BINPUT/GET out of memo, LONG1 oversize
        assertTrue(refused(new P().op(0x80, 2, 'X', 0xf0, 0xff, 0xff, 0xff).raw("abc").bytes()).contains("string of 4294967280 bytes"));
        assertTrue(refused(new P().op(0x80, 2, 'j', 0xff, 0xff, 0xff, 0xff, '.').bytes()).contains("memo entry"));
        assertTrue(refused(new P().op(0x80, 2, 0x8a, 200, '.').bytes()).contains("LONG1"));
        assertTrue(refused(new P().op(0x80, 2, 0x95, 0, 0, 0, 0, 0, 0, 0, 0x80, '.').bytes()).contains("negative frame"));
        // deeply nested tuples / marks / lists
        P t = new P().op(0x80, 2, 'N');
        for (int i = 0; i < 100_000; i++) t.op(0x85);
        assertTrue(refused(t.op('.').bytes()).contains("nesting deeper"));
        P mk = new P().op(0x80, 2);
        for (int i = 0; i < 100_000; i++) mk.op('(');
        assertTrue(refused(mk.bytes()).contains("nesting deeper"));
        P l = new P().op(0x80, 2, ']');
        for (int i = 0; i < 1000; i++) l.op(']');
        for (int i = 0; i < 1000; i++) l.op('a');
        assertTrue(refused(l.op('.').bytes()).contains("nesting deeper"));
        // truncated and stack underflow
        assertTrue(refused(new P().op(0x80, 2, '(').bytes()).contains("truncated"));
        assertTrue(refused(new P().op(0x80, 2, 'R', '.').bytes()).contains("underflow"));
    }

    @Test
    void tensorViewsOutsideTheirStorageAreRefused() throws IOException {
        // _rebuild_tensor_v2(storage(numel 4), offset 2, size (4,), stride (1,)) reaches element 5
        byte[] pkl = new P().op(0x80, 2).global("collections", "OrderedDict").op(')', 'R', '(').str("w")
                .global("torch._utils", "_rebuild_tensor_v2").op('(', '(').str("storage").global("torch", "FloatStorage").str("0").str("cpu")
                .op('K', 4, 't', 'Q', 'K', 2, 'K', 4, 0x85, 'K', 1, 0x85, 0x89).global("collections", "OrderedDict").op(')', 'R', 't', 'R', 'u', '.').bytes();
        Path z = zip(Map.of("archive/data.pkl", pkl, "archive/data/0", new byte[16], "archive/version", "3\n".getBytes()));
        HeadlensException e = assertThrows(HeadlensException.class, () -> TorchZip.read(z));
        assertTrue(e.getMessage().contains("tensor 'w' [4] at offset 2 reaches element 5 of a storage of 4"), e.getMessage());
        Path z2 = zip(Map.of("archive/data.pkl", pkl, "archive/data/0", new byte[12]));
        e = assertThrows(HeadlensException.class, () -> TorchZip.read(z2));
        assertTrue(e.getMessage().contains("storage 0 has 12 bytes"), e.getMessage());
    }

    @Test
    void unsafeZipEntriesAreRefused() throws IOException {
        for (String bad : List.of("archive/../../etc/passwd", "/archive/data.pkl", "archive/data/..", "data.pkl")) {
            Path z = zip(Map.of("archive/version", "3\n".getBytes(), bad, new byte[1]));
            HeadlensException e = assertThrows(HeadlensException.class, () -> TorchZip.read(z));
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
        Path two = zip(Map.of("a/data.pkl", new byte[1], "b/data/0", new byte[1]));
        assertTrue(assertThrows(HeadlensException.class, () -> TorchZip.read(two)).getMessage().contains("two top-level folders"));
        Path notZip = tmp.resolve("pytorch_model.bin");
        Files.write(notZip, "PK\3\4garbage".getBytes());
        assertTrue(assertThrows(HeadlensException.class, () -> TorchZip.read(notZip)).getMessage().contains("not a readable zip"));
    }

    private Path zip(Map<String, byte[]> entries) throws IOException {
        Path p = Files.createTempFile(tmp, "ckpt", ".bin");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(p))) {
            for (var e : new java.util.TreeMap<>(entries).entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return p;
    }
}
