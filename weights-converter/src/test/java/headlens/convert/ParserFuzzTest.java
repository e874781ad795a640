package headlens.convert;

import headlens.core.HeadlensException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Seeded mutation fuzzing of the three untrusted-file parsers (safetensors, ONNX protobuf, PyTorch pickle/zip):
 * bit flips, byte overwrites with boundary values, truncation, duplicated/removed spans. Each runs for a bounded
 * time; the only acceptable failure is our own {@link HeadlensException} (a clear message), never another exception.
 */
class ParserFuzzTest {
    static final long MILLIS = Long.getLong("headlens.fuzz.millis", 2500);
    @TempDir Path tmp;

    static byte[] mutate(byte[] seed, Random r) {
        byte[] b = seed.clone();
        int kind = r.nextInt(5);
        switch (kind) {
            case 0 -> { for (int i = 0, n = 1 + r.nextInt(4); i < n; i++) b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8)); }
            case 1 -> { int[] v = {0, 0xff, 0x7f, 0x80, 0x01}; for (int i = 0, n = 1 + r.nextInt(4); i < n; i++) b[r.nextInt(b.length)] = (byte) v[r.nextInt(v.length)]; }
            case 2 -> b = java.util.Arrays.copyOf(b, r.nextInt(b.length));
            case 3 -> {   // remove a span
                int a = r.nextInt(b.length), len = Math.min(b.length - a, 1 + r.nextInt(64));
                byte[] c = new byte[b.length - len];
                System.arraycopy(b, 0, c, 0, a);
                System.arraycopy(b, a + len, c, a, b.length - a - len);
                b = c;
            }
            default -> {  // duplicate a span
                int a = r.nextInt(b.length), len = Math.min(b.length - a, 1 + r.nextInt(64));
                byte[] c = new byte[b.length + len];
                System.arraycopy(b, 0, c, 0, a + len);
                System.arraycopy(b, a, c, a + len, b.length - a);
                b = c;
            }
        }
        return b;
    }

    private int fuzz(byte[] seed, long seedValue, Consumer<byte[]> parse) {
        Random r = new Random(seedValue);
        long end = System.currentTimeMillis() + MILLIS;
        int runs = 0, refused = 0;
        while (System.currentTimeMillis() < end || runs < 30) {   // a floor on runs: a loaded machine must not starve the fuzzer
            byte[] m = mutate(seed, r);
            runs++;
            try {
                parse.accept(m);
            } catch (HeadlensException e) {
                refused++;
                assertNotNull(e.getMessage());
            } catch (Throwable t) {
                fail("run " + runs + ": unexpected " + t, t);
            }
        }
        assertTrue(runs > 20, "too few runs: " + runs);
        return refused;
    }

    private Consumer<byte[]> viaFile(String name, Consumer<Path> parse) {
        Path p = tmp.resolve(name);
        return bytes -> {
            try {
                Files.write(p, bytes);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            parse.accept(p);
            // the tensors must be readable in full when accepted
        };
    }

    @Test
    void tensorFlowBundleIndex() throws IOException {
        // a multi-block index (small blocks, restarts every 3 keys) of a tiny BERT with Adam slots
        TfFixtures.Options o = new TfFixtures.Options();
        o.blockSize = 200;
        o.restartInterval = 3;
        TfFixtures.write(tmp.resolve("seed"), TfFixtures.tinyBert("module/", 11, true), o);
        byte[] seed = Files.readAllBytes(tmp.resolve("seed.index"));
        fuzz(seed, 6, bytes -> TfBundle.parseIndex(Path.of("fuzz.index"), bytes));
        // and through the data shard: the index mutated, the shard kept, tensors read and crc-checked
        Path data = tmp.resolve("seed.data-00000-of-00001");
        fuzz(seed, 7, bytes -> {
            try {
                Files.write(tmp.resolve("f.index"), bytes);
                Files.copy(data, tmp.resolve("f.data-00000-of-00001"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                for (int s = 1; s < 4; s++) Files.copy(data, tmp.resolve("f.data-0000" + (s - 1) + "-of-0000" + s), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            TfBundle.read(tmp.resolve("f"), n -> true).values().forEach(t -> { if (t.dtype().isFloating()) t.toFloats(); else t.toLongs(); });
        });
    }

    @Test
    void safetensors() throws IOException {
        byte[] seed = Files.readAllBytes(SafetensorsTest.fixture("dtypes.safetensors"));
        fuzz(seed, 1, viaFile("f.safetensors", p -> Safetensors.read(p).values().forEach(t -> {
            if (t.dtype().isFloating()) t.toFloats(); else t.toLongs();
        })));
    }

    @Test
    void onnx() throws IOException {
        // a small real export: the first layer's worth of MiniLM is too big to mutate quickly, so fuzz a tiny graph
        // made of the MiniLM file's leading bytes (model header, nodes) and the complete tiny-onnx fixture
        byte[] seed = tinyOnnx();
        var cfg = TinyModels.config("bert");
        fuzz(seed, 2, bytes -> {
            try {
                OnnxWeights.read(ByteBuffer.wrap(bytes), Path.of("fuzz.onnx"), cfg);
            } catch (HeadlensException e) {
                throw e;
            }
        });
    }

    @Test
    void torchPickleAndZip() throws IOException {
        Path bin = SafetensorsTest.fixture("torch-bin/pytorch_model.bin");
        byte[] pkl;
        try (ZipFile z = new ZipFile(bin.toFile()); InputStream in = z.getInputStream(z.getEntry("archive/data.pkl"))) {
            pkl = in.readAllBytes();
        }
        fuzz(pkl, 3, bytes -> RestrictedUnpickler.stateDict("fuzz.pkl", bytes));
        // whole zip, mutated at the byte level, and the pickle re-zipped (so the zip layer is valid)
        fuzz(Files.readAllBytes(bin), 4, viaFile("pytorch_model.bin", TorchZip::read));
        Path rezip = tmp.resolve("rezip.bin");
        byte[] storage0;
        try (ZipFile z = new ZipFile(bin.toFile())) {
            fuzz(pkl, 5, bytes -> {
                try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(rezip))) {
                    out.putNextEntry(new ZipEntry("archive/data.pkl"));
                    out.write(bytes);
                    for (var en = z.entries(); en.hasMoreElements(); ) {
                        ZipEntry e = en.nextElement();
                        if (e.getName().endsWith("data.pkl")) continue;
                        out.putNextEntry(new ZipEntry(e.getName()));
                        try (InputStream in = z.getInputStream(e)) { in.transferTo(out); }
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                TorchZip.read(rezip);
            });
        }
    }

    /** A tiny BERT ONNX-like graph (initializers with HF names plus one generated MatMul weight), written by hand. */
    static byte[] tinyOnnx() throws IOException {
        var cfg = TinyModels.config("bert");
        var w = TinyModels.weights(cfg, 8);
        ByteArrayOutputStream graph = new ByteArrayOutputStream();
        var g = com.google.protobuf.CodedOutputStream.newInstance(graph);
        for (Tensor t : w.values()) {
            boolean generated = t.name().equals("encoder.layer.0.attention.self.query.weight");
            Tensor stored = generated ? t.transpose2d() : t;
            ByteArrayOutputStream tb = new ByteArrayOutputStream();
            var tp = com.google.protobuf.CodedOutputStream.newInstance(tb);
            for (long d : stored.shape()) tp.writeInt64(1, d);
            tp.writeInt32(2, 1);
            tp.writeString(8, generated ? "onnx::MatMul_1" : t.name());
            byte[] raw = new byte[(int) stored.byteSize()];
            stored.data().get(raw);
            tp.writeByteArray(9, raw);
            tp.flush();
            g.writeByteArray(5, tb.toByteArray());
        }
        ByteArrayOutputStream nb = new ByteArrayOutputStream();
        var np = com.google.protobuf.CodedOutputStream.newInstance(nb);
        np.writeString(1, "x");
        np.writeString(1, "onnx::MatMul_1");
        np.writeString(2, "/encoder/layer.0/attention/self/query/MatMul_output_0");
        np.writeString(3, "/encoder/layer.0/attention/self/query/MatMul");
        np.writeString(4, "MatMul");
        np.flush();
        g.writeByteArray(1, nb.toByteArray());
        g.flush();
        ByteArrayOutputStream model = new ByteArrayOutputStream();
        var m = com.google.protobuf.CodedOutputStream.newInstance(model);
        m.writeInt64(1, 8);
        m.writeByteArray(7, graph.toByteArray());
        m.flush();
        return model.toByteArray();
    }

    @Test
    void tinyOnnxSeedIsValidAndMapsTheGeneratedWeightByNodeName() throws IOException {
        var cfg = TinyModels.config("bert");
        var w = TinyModels.weights(cfg, 8);
        var got = OnnxWeights.read(ByteBuffer.wrap(tinyOnnx()), Path.of("tiny.onnx"), cfg);
        for (String k : ModelFiles.expectedShapes(cfg).keySet()) assertTrue(w.get(k).sameContent(got.get(k)), k);
    }
}
