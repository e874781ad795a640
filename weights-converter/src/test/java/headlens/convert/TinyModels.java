package headlens.convert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import headlens.config.EncoderConfig;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Tiny random checkpoints in HuggingFace layout for converter tests. */
final class TinyModels {
    private TinyModels() {}

    static ObjectNode configJson(String type) {
        ObjectNode o = new ObjectMapper().createObjectNode();
        boolean x = !type.equals("bert");
        o.putArray("architectures").add(x ? "XLMRobertaForMaskedLM" : "BertForMaskedLM");
        o.put("model_type", type);
        o.put("vocab_size", 11);
        o.put("hidden_size", 8);
        o.put("num_hidden_layers", 2);
        o.put("num_attention_heads", 2);
        o.put("intermediate_size", 16);
        o.put("hidden_act", "gelu");
        o.put("max_position_embeddings", x ? 14 : 12);
        o.put("type_vocab_size", x ? 1 : 2);
        o.put("layer_norm_eps", x ? 1e-5 : 1e-12);
        o.put("pad_token_id", x ? 1 : 0);
        return o;
    }

    static EncoderConfig config(String type) {
        return EncoderConfig.fromJson(configJson(type), "tiny");
    }

    /** Random F32 tensors with headlens names for every required key (plus the pooler). */
    static Map<String, Tensor> weights(EncoderConfig cfg, long seed) {
        Random r = new Random(seed);
        Map<String, long[]> shapes = new LinkedHashMap<>(ModelFiles.expectedShapes(cfg));
        shapes.put("pooler.dense.weight", new long[]{cfg.hiddenSize(), cfg.hiddenSize()});
        shapes.put("pooler.dense.bias", new long[]{cfg.hiddenSize()});
        Map<String, Tensor> m = new LinkedHashMap<>();
        shapes.forEach((k, s) -> {
            float[] v = new float[(int) Tensor.numel(s, k)];
            for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
            m.put(k, Tensor.ofFloats(k, s, v));
        });
        return m;
    }

    /** Random tensors of a 16-bit dtype given as raw bit patterns (finite values only). */
    static Tensor random16(String name, long[] shape, DType dt, Random r) {
        int n = (int) Tensor.numel(shape, name);
        ByteBuffer b = ByteBuffer.allocate(2 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            int bits;
            do bits = r.nextInt(1 << 16);
            while (dt == DType.F16 ? ((bits >> 10) & 31) == 31 : ((bits >> 7) & 255) == 255);
            b.putShort((short) bits);
        }
        return new Tensor(name, dt, shape, b.flip());
    }

    static void writeDir(Path dir, ObjectNode cfg, Iterable<Tensor> tensors) throws IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve("config.json"), new ObjectMapper().writeValueAsBytes(cfg));
        Files.writeString(dir.resolve("vocab.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\na\nb\nc\nd\ne\nf\n");
        java.util.List<Tensor> l = new java.util.ArrayList<>();
        tensors.forEach(l::add);
        Safetensors.write(dir.resolve("model.safetensors"), l, Map.of("format", "pt"));
    }
}
