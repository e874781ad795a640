package headlens.convert;

import com.fasterxml.jackson.databind.node.ObjectNode;
import headlens.cli.Main;
import headlens.config.EncoderConfig;
import headlens.core.HeadlensException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class ConverterTest {
    @TempDir Path tmp;

    private static List<Tensor> prefixed(Map<String, Tensor> w, String prefix) {
        List<Tensor> l = new ArrayList<>();
        w.values().forEach(t -> l.add(t.withName(prefix + t.name())));
        return l;
    }

    @Test
    void bertForMaskedLmPrefixHeadsAndBuffers() throws IOException {
        EncoderConfig cfg = TinyModels.config("bert");
        Map<String, Tensor> w = TinyModels.weights(cfg, 1);
        List<Tensor> ckpt = prefixed(w, "bert.");
        ckpt.add(Tensor.ofLongs("bert.embeddings.position_ids", new long[]{1, 12}, new long[12]));
        ckpt.add(Tensor.ofFloats("cls.predictions.bias", new long[]{11}, new float[11]));
        ckpt.add(Tensor.ofFloats("cls.predictions.transform.dense.weight", new long[]{8, 8}, new float[64]));
        Path from = tmp.resolve("hf"), to = tmp.resolve("model");
        TinyModels.writeDir(from, TinyModels.configJson("bert"), ckpt);
        Converter.Report r = Converter.convert(from, to);
        assertEquals(List.of("cls.predictions.bias", "cls.predictions.transform.dense.weight"), r.droppedHeads());
        assertEquals(List.of("bert.embeddings.position_ids"), r.ignoredBuffers());
        Map<String, Tensor> back = ModelFiles.readWeights(to, ModelFiles.readConfig(to));
        assertEquals(w.keySet(), back.keySet());
        for (Tensor t : w.values()) assertTrue(t.sameContent(back.get(t.name())), t.name());
        assertEquals(Files.readString(from.resolve("vocab.txt")), Files.readString(to.resolve("vocab.txt")));
    }

    @Test
    void xlmRobertaPrefixAndOldLayerNormNames() throws IOException {
        EncoderConfig cfg = TinyModels.config("xlm-roberta");
        Map<String, Tensor> w = TinyModels.weights(cfg, 2);
        List<Tensor> ckpt = new ArrayList<>();
        for (Tensor t : w.values()) {
            String n = "roberta." + t.name().replace("LayerNorm.weight", "LayerNorm.gamma").replace("LayerNorm.bias", "LayerNorm.beta");
            ckpt.add(t.withName(n));
        }
        ckpt.add(Tensor.ofLongs("roberta.embeddings.token_type_ids", new long[]{1, 14}, new long[14]));
        ckpt.add(Tensor.ofFloats("lm_head.bias", new long[]{11}, new float[11]));
        Path from = tmp.resolve("hf"), to = tmp.resolve("model");
        TinyModels.writeDir(from, TinyModels.configJson("xlm-roberta"), ckpt);
        Converter.convert(from, to);
        Map<String, Tensor> back = Safetensors.read(to.resolve("model.safetensors"));
        for (Tensor t : w.values()) assertTrue(t.sameContent(back.get(t.name())), t.name());
        assertEquals("xlm-roberta", ModelFiles.readConfig(to).modelType());
    }

    @Test
    void halfAndBfloatInputsWidenExactly() throws IOException {
        EncoderConfig cfg = TinyModels.config("bert");
        for (DType dt : List.of(DType.F16, DType.BF16)) {
            Random r = new Random(3);
            List<Tensor> ckpt = new ArrayList<>();
            ModelFiles.expectedShapes(cfg).forEach((k, s) -> ckpt.add(TinyModels.random16("bert." + k, s, dt, r)));
            Path from = tmp.resolve("hf-" + dt), to = tmp.resolve("model-" + dt);
            TinyModels.writeDir(from, TinyModels.configJson("bert"), ckpt);
            Converter.convert(from, to);
            Map<String, Tensor> back = Safetensors.read(to.resolve("model.safetensors"));
            for (Tensor t : ckpt) {
                Tensor b = back.get(t.name().substring(5));
                assertEquals(DType.F32, b.dtype());
                float[] f = b.toFloats();
                var raw = t.data();
                for (int i = 0; i < f.length; i++) {
                    int bits = raw.getShort(2 * i) & 0xffff;
                    if (dt == DType.BF16) assertEquals(bits << 16, Float.floatToRawIntBits(f[i]));
                    else {   // binary16 definition
                        int e = (bits >> 10) & 31, m = bits & 1023;
                        double v = e == 0 ? Math.scalb(m / 1024.0, -14) : Math.scalb(1 + m / 1024.0, e - 15);
                        assertEquals((bits >> 15) == 1 ? -v : v, f[i], 0.0);
                    }
                }
            }
        }
    }

    @Test
    void shardedEqualsUnsharded() throws IOException {
        EncoderConfig cfg = TinyModels.config("bert");
        Map<String, Tensor> w = TinyModels.weights(cfg, 4);
        List<Tensor> all = prefixed(w, "bert.");
        Path from = tmp.resolve("sharded");
        TinyModels.writeDir(from, TinyModels.configJson("bert"), List.of());
        Files.delete(from.resolve("model.safetensors"));
        List<Tensor> a = all.subList(0, 10), b = all.subList(10, all.size());
        Safetensors.write(from.resolve("model-00001-of-00002.safetensors"), a, Map.of());
        Safetensors.write(from.resolve("model-00002-of-00002.safetensors"), b, Map.of());
        ObjectNode idx = Safetensors.JSON.createObjectNode();
        idx.putObject("metadata").put("total_size", 0);
        ObjectNode wm = idx.putObject("weight_map");
        a.forEach(t -> wm.put(t.name(), "model-00001-of-00002.safetensors"));
        b.forEach(t -> wm.put(t.name(), "model-00002-of-00002.safetensors"));
        Files.write(from.resolve("model.safetensors.index.json"), Safetensors.JSON.writeValueAsBytes(idx));
        Path to = tmp.resolve("model");
        assertEquals("sharded safetensors", Converter.convert(from, to).format());
        Map<String, Tensor> back = Safetensors.read(to.resolve("model.safetensors"));
        for (Tensor t : w.values()) assertTrue(t.sameContent(back.get(t.name())), t.name());

        wm.put(all.get(0).name(), "../model-00001-of-00002.safetensors");
        Files.write(from.resolve("model.safetensors.index.json"), Safetensors.JSON.writeValueAsBytes(idx));
        HeadlensException e = assertThrows(HeadlensException.class, () -> Converter.convert(from, tmp.resolve("x")));
        assertTrue(e.getMessage().contains("not a plain file name"), e.getMessage());
    }

    @Test
    void missingUnexpectedAndMismatchedKeysAreNamed() throws IOException {
        EncoderConfig cfg = TinyModels.config("bert");
        Map<String, Tensor> w = new LinkedHashMap<>(TinyModels.weights(cfg, 5));
        w.remove("encoder.layer.1.output.dense.bias");
        w.put("encoder.layer.0.attention.self.rotary.weight", Tensor.ofFloats("encoder.layer.0.attention.self.rotary.weight", new long[]{1}, new float[1]));
        w.put("encoder.layer.0.intermediate.dense.weight", Tensor.ofFloats("encoder.layer.0.intermediate.dense.weight", new long[]{8, 16}, new float[128]));
        Path from = tmp.resolve("hf");
        TinyModels.writeDir(from, TinyModels.configJson("bert"), prefixed(w, "bert."));
        HeadlensException e = assertThrows(HeadlensException.class, () -> Converter.convert(from, tmp.resolve("m")));
        String m = e.getMessage();
        assertTrue(m.contains("missing tensors [encoder.layer.1.output.dense.bias]"), m);
        assertTrue(m.contains("unexpected tensors [encoder.layer.0.attention.self.rotary.weight]"), m);
        assertTrue(m.contains("'encoder.layer.0.intermediate.dense.weight' has shape [8, 16] but the config needs [16, 8]"), m);
        assertFalse(Files.exists(tmp.resolve("m")), "nothing written on failure");
    }

    @Test
    void cliConvertsAndReportsErrorsWithExitCode2() throws IOException {
        EncoderConfig cfg = TinyModels.config("bert");
        Path from = tmp.resolve("hf"), to = tmp.resolve("model");
        TinyModels.writeDir(from, TinyModels.configJson("bert"), TinyModels.weights(cfg, 6).values());
        assertEquals(0, Main.run("convert", "--from", from.toString(), "--to", to.toString()));
        assertTrue(Files.isRegularFile(to.resolve("model.safetensors")));
        assertEquals(2, Main.run("convert", "--from", tmp.resolve("nope").toString(), "--to", to.toString()));
    }
}
