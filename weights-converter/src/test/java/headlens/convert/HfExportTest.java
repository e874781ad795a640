package headlens.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import headlens.cli.Main;
import headlens.config.EncoderConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class HfExportTest {
    @TempDir Path tmp;

    /** A run directory (tagger) built from a converted HF checkpoint plus a classifier and id2label. */
    private Path runDir(String type, Map<String, Tensor> weights) throws IOException {
        ObjectNode cfgJson = TinyModels.configJson(type);
        cfgJson.remove("architectures");
        ObjectNode id2label = cfgJson.putObject("id2label");
        String[] labels = {"O", "B-LOC", "I-LOC"};
        for (int i = 0; i < labels.length; i++) id2label.put(String.valueOf(i), labels[i]);
        EncoderConfig cfg = EncoderConfig.fromJson(cfgJson, "run");
        Random r = new Random(9);
        List<Tensor> all = new ArrayList<>(weights.values());
        float[] cw = new float[3 * 8], cb = new float[3];
        for (int i = 0; i < cw.length; i++) cw[i] = (float) r.nextGaussian();
        for (int i = 0; i < 3; i++) cb[i] = (float) r.nextGaussian();
        all.add(Tensor.ofFloats("classifier.weight", new long[]{3, 8}, cw));
        all.add(Tensor.ofFloats("classifier.bias", new long[]{3}, cb));
        Path dir = tmp.resolve("run-" + type);
        Files.createDirectories(dir);
        Path vocab = tmp.resolve("vocab.txt");
        Files.writeString(vocab, "[PAD]\n[UNK]\n[CLS]\n[SEP]\n");   // a BERT vocabulary has [CLS]/[SEP]: convert makes a tokenizer.json of it
        ModelFiles.write(dir, cfg, all, List.of(vocab));
        return dir;
    }

    @Test
    void hfSafetensorsToHeadlensToExportToConvertIsBitIdentical() throws IOException {
        for (String type : List.of("bert", "xlm-roberta")) {
            EncoderConfig cfg = TinyModels.config(type);
            Map<String, Tensor> w = TinyModels.weights(cfg, 11);
            // HF checkpoint -> headlens
            Path hf = tmp.resolve("hf-" + type);
            TinyModels.writeDir(hf, TinyModels.configJson(type), w.values());
            Path model = tmp.resolve("model-" + type);
            Converter.convert(hf, model);
            Path run = runDir(type, ModelFiles.readWeights(model, ModelFiles.readConfig(model)));
            Map<String, Tensor> runW = Safetensors.read(run.resolve("model.safetensors"));
            // export, then convert back
            Path out = tmp.resolve("export-" + type);
            assertEquals(0, Main.run("export", "--model", run.toString(), "--to", out.toString()));
            Path back = tmp.resolve("back-" + type);
            Converter.convert(out, back);
            Map<String, Tensor> b = Safetensors.read(back.resolve("model.safetensors"));
            Map<String, Tensor> expect = new LinkedHashMap<>(runW);
            expect.remove("pooler.dense.weight");    // token classifiers carry no pooler
            expect.remove("pooler.dense.bias");
            assertEquals(expect.keySet(), b.keySet());
            for (Tensor t : expect.values()) assertTrue(t.sameContent(b.get(t.name())), t.name());
            for (Tensor t : w.values()) if (!t.name().startsWith("pooler")) assertTrue(t.sameContent(b.get(t.name())), "original " + t.name());
            checkHfLayoutIndependently(out, type, runW);
        }
    }

    /**
     * An independent reader of the exported directory: parses config.json and the safetensors header with plain
     * Jackson and byte offsets, and checks the key set HuggingFace's *ForTokenClassification expects.
     */
    private static void checkHfLayoutIndependently(Path dir, String type, Map<String, Tensor> runW) throws IOException {
        ObjectMapper om = new ObjectMapper();
        JsonNode cfg = om.readTree(dir.resolve("config.json").toFile());
        String p = type.equals("bert") ? "bert." : "roberta.";
        assertEquals(type.equals("bert") ? "BertForTokenClassification" : "XLMRobertaForTokenClassification", cfg.get("architectures").get(0).asText());
        assertEquals("B-LOC", cfg.get("id2label").get("1").asText());
        assertEquals(2, cfg.get("label2id").get("I-LOC").asInt());
        assertTrue(cfg.get("pruned_heads").isObject());
        byte[] file = Files.readAllBytes(dir.resolve("model.safetensors"));
        long n = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        JsonNode header = om.readTree(new String(file, 8, (int) n, java.nio.charset.StandardCharsets.UTF_8));
        Set<String> keys = new HashSet<>();
        header.fieldNames().forEachRemaining(keys::add);
        keys.remove("__metadata__");
        Set<String> want = new HashSet<>(List.of("classifier.weight", "classifier.bias",
                p + "embeddings.word_embeddings.weight", p + "embeddings.position_embeddings.weight", p + "embeddings.token_type_embeddings.weight",
                p + "embeddings.LayerNorm.weight", p + "embeddings.LayerNorm.bias"));
        for (int l = 0; l < 2; l++)
            for (String s : List.of("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
                    "attention.output.LayerNorm", "intermediate.dense", "output.dense", "output.LayerNorm"))
                for (String wb : List.of(".weight", ".bias")) want.add(p + "encoder.layer." + l + "." + s + wb);
        assertEquals(want, keys);
        JsonNode q = header.get(p + "encoder.layer.1.attention.self.query.weight");
        assertEquals("F32", q.get("dtype").asText());
        int begin = q.get("data_offsets").get(0).asInt(), end = q.get("data_offsets").get(1).asInt();
        byte[] mine = new byte[end - begin];
        runW.get("encoder.layer.1.attention.self.query.weight").data().get(mine);
        assertArrayEquals(mine, Arrays.copyOfRange(file, (int) (8 + n + begin), (int) (8 + n + end)));
        assertTrue(Files.isRegularFile(dir.resolve("vocab.txt")));
    }
}
