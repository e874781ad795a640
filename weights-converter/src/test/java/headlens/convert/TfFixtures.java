package headlens.convert;

import com.google.protobuf.CodedOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * Writes TensorFlow tensor bundles for tests, from the documented formats (independent of {@link TfBundle}):
 * LevelDB's table (table_format.cc, block_builder.cc: prefix-compressed entries, a restart every
 * {@code restartInterval} keys, data blocks cut at {@code blockSize} bytes, 5-byte trailers with the masked crc32c,
 * an index block of last-key -> handle, a 48-byte footer with the magic) holding TensorFlow's BundleHeaderProto and
 * BundleEntryProto (tensor_bundle.proto, proto3: fields with default values are omitted, as TensorFlow writes them).
 */
final class TfFixtures {
    private TfFixtures() {}

    /** A tensor to write: TF dtype enum, shape, little-endian bytes. */
    record T(String name, int dtype, long[] shape, byte[] bytes) {
        static T f32(String name, long[] shape, float[] v) {
            ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(v);
            return new T(name, 1, shape, b.array());
        }
    }

    /** Knobs for writing, including deliberate damage. */
    static final class Options {
        int blockSize = 4096, restartInterval = 16, numShards = 1, endianness = 0, compressionType = 0;
        /** name -> replacement entry fields {dtype, offset, size} (null = as written). */
        Map<String, long[]> forge = new LinkedHashMap<>();
    }

    /** Writes {@code prefix.index} and {@code prefix.data-00000-of-00001}; returns the data offsets per tensor. */
    static Map<String, Long> write(Path prefix, List<T> tensors, Options o) throws IOException {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        TreeMap<String, byte[]> entries = new TreeMap<>();           // TensorFlow sorts keys; "" (the header) first
        Map<String, Long> offsets = new LinkedHashMap<>();
        for (T t : tensors) {
            long off = data.size();
            data.write(t.bytes());
            offsets.put(t.name(), off);
            long[] f = o.forge.getOrDefault(t.name(), new long[]{t.dtype(), off, t.bytes().length});
            entries.put(t.name(), entryProto(t, (int) f[0], f[1], f[2]));
        }
        entries.put("", headerProto(o.numShards, o.endianness));
        Files.write(prefix.resolveSibling(prefix.getFileName() + ".data-00000-of-" + String.format("%05d", o.numShards)), data.toByteArray());
        Files.write(prefix.resolveSibling(prefix.getFileName() + ".index"), table(entries, o));
        return offsets;
    }

    static byte[] headerProto(int numShards, int endianness) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        CodedOutputStream c = CodedOutputStream.newInstance(b);
        if (numShards != 0) c.writeInt32(1, numShards);
        if (endianness != 0) c.writeEnum(2, endianness);
        ByteArrayOutputStream v = new ByteArrayOutputStream();        // VersionDef { producer: 1 }
        CodedOutputStream cv = CodedOutputStream.newInstance(v);
        cv.writeInt32(1, 1);
        cv.flush();
        c.writeByteArray(3, v.toByteArray());
        c.flush();
        return b.toByteArray();
    }

    static byte[] entryProto(T t, int dtype, long offset, long size) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        CodedOutputStream c = CodedOutputStream.newInstance(b);
        if (dtype != 0) c.writeEnum(1, dtype);
        if (t.shape().length > 0) {                                  // a scalar's TensorShapeProto is empty: omitted
            ByteArrayOutputStream s = new ByteArrayOutputStream();
            CodedOutputStream cs = CodedOutputStream.newInstance(s);
            for (long d : t.shape()) {
                ByteArrayOutputStream dim = new ByteArrayOutputStream();
                CodedOutputStream cd = CodedOutputStream.newInstance(dim);
                if (d != 0) cd.writeInt64(1, d);
                cd.flush();
                cs.writeByteArray(2, dim.toByteArray());
            }
            cs.flush();
            c.writeByteArray(2, s.toByteArray());
        }
        // shard_id 0: omitted
        if (offset != 0) c.writeInt64(4, offset);
        if (size != 0) c.writeInt64(5, size);
        int crc = mask(crc32c(t.bytes()));
        if (crc != 0) c.writeFixed32(6, crc);
        c.flush();
        return b.toByteArray();
    }

    /** A LevelDB table of sorted entries. */
    static byte[] table(TreeMap<String, byte[]> entries, Options o) throws IOException {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        TreeMap<String, byte[]> index = new TreeMap<>();
        List<Map.Entry<String, byte[]>> block = new ArrayList<>();
        int estimate = 0;
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            block.add(e);
            estimate += e.getKey().length() + e.getValue().length + 3;
            if (estimate >= o.blockSize) {
                index.put(block.get(block.size() - 1).getKey(), flushBlock(file, block, o));
                block.clear();
                estimate = 0;
            }
        }
        if (!block.isEmpty()) index.put(block.get(block.size() - 1).getKey(), flushBlock(file, block, o));
        byte[] meta = flushBlock(file, List.of(), o);
        List<Map.Entry<String, byte[]>> idx = new ArrayList<>(index.entrySet());
        Options plain = new Options();
        plain.restartInterval = 1;                                    // the index block: a restart per entry, as LevelDB's
        plain.compressionType = o.compressionType;
        byte[] idxHandle = flushBlock(file, idx, plain);
        ByteArrayOutputStream footer = new ByteArrayOutputStream();
        footer.write(meta);
        footer.write(idxHandle);
        while (footer.size() < 40) footer.write(0);
        ByteBuffer magic = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0xdb4775248b80fb57L);
        footer.write(magic.array());
        file.write(footer.toByteArray());
        return file.toByteArray();
    }

    /** Appends one block + trailer; returns its encoded BlockHandle. */
    private static byte[] flushBlock(ByteArrayOutputStream file, List<Map.Entry<String, byte[]>> kvs, Options o) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        List<Integer> restarts = new ArrayList<>();
        byte[] last = new byte[0];
        for (int i = 0; i < kvs.size(); i++) {
            byte[] k = kvs.get(i).getKey().getBytes(StandardCharsets.UTF_8), v = kvs.get(i).getValue();
            int shared = 0;
            if (i % o.restartInterval == 0) restarts.add(b.size());
            else while (shared < Math.min(last.length, k.length) && last[shared] == k[shared]) shared++;
            varint(b, shared);
            varint(b, k.length - shared);
            varint(b, v.length);
            b.write(k, shared, k.length - shared);
            b.write(v);
            last = k;
        }
        if (restarts.isEmpty()) restarts.add(0);
        ByteBuffer r = ByteBuffer.allocate(4 * restarts.size() + 4).order(ByteOrder.LITTLE_ENDIAN);
        restarts.forEach(r::putInt);
        r.putInt(restarts.size());
        b.write(r.array());
        byte[] contents = b.toByteArray();
        long offset = file.size();
        file.write(contents);
        byte[] typed = Arrays.copyOf(contents, contents.length + 1);
        typed[contents.length] = (byte) o.compressionType;
        file.write(o.compressionType);
        file.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(mask(crc32c(typed))).array());
        ByteArrayOutputStream h = new ByteArrayOutputStream();
        varint(h, offset);
        varint(h, contents.length);
        return h.toByteArray();
    }

    static void varint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7fL) != 0) {
            out.write((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    static int crc32c(byte[] b) {
        CRC32C c = new CRC32C();
        c.update(b);
        return (int) c.getValue();
    }

    /** crc32c.h: ((crc >> 15) | (crc << 17)) + 0xa282ead8. */
    static int mask(int crc) {
        return ((crc >>> 15) | (crc << 17)) + 0xa282ead8;
    }

    // ------------------------------------------------------------------ a tiny BERT in Google's names

    static final int V = 11, H = 8, L = 2, I = 16, P = 12, TV = 2, HEADS = 2;

    static String bertConfig(int hidden) {
        return "{\"attention_probs_dropout_prob\": 0.1, \"hidden_act\": \"gelu\", \"hidden_dropout_prob\": 0.1, \"hidden_size\": " + hidden
                + ", \"initializer_range\": 0.02, \"intermediate_size\": " + I + ", \"max_position_embeddings\": " + P
                + ", \"num_attention_heads\": " + HEADS + ", \"num_hidden_layers\": " + L + ", \"type_vocab_size\": " + TV
                + ", \"vocab_size\": " + V + "}";
    }

    static final String VOCAB = String.join("\n", "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "Hello", "world", "##s", "Welt", "!", ",") + "\n";

    /** Every tensor of a tiny BERT (Google's names, kernels [in, out]), plus the MLM head, Adam slots and global_step. */
    static List<T> tinyBert(String prefix, long seed, boolean optimizer) {
        Random r = new Random(seed);
        List<T> out = new ArrayList<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("bert/embeddings/word_embeddings", new long[]{V, H});
        shapes.put("bert/embeddings/position_embeddings", new long[]{P, H});
        shapes.put("bert/embeddings/token_type_embeddings", new long[]{TV, H});
        shapes.put("bert/embeddings/LayerNorm/gamma", new long[]{H});
        shapes.put("bert/embeddings/LayerNorm/beta", new long[]{H});
        for (int l = 0; l < L; l++) {
            String p = "bert/encoder/layer_" + l + "/";
            for (String q : List.of("query", "key", "value")) {
                shapes.put(p + "attention/self/" + q + "/kernel", new long[]{H, H});
                shapes.put(p + "attention/self/" + q + "/bias", new long[]{H});
            }
            shapes.put(p + "attention/output/dense/kernel", new long[]{H, H});
            shapes.put(p + "attention/output/dense/bias", new long[]{H});
            shapes.put(p + "attention/output/LayerNorm/gamma", new long[]{H});
            shapes.put(p + "attention/output/LayerNorm/beta", new long[]{H});
            shapes.put(p + "intermediate/dense/kernel", new long[]{H, I});
            shapes.put(p + "intermediate/dense/bias", new long[]{I});
            shapes.put(p + "output/dense/kernel", new long[]{I, H});
            shapes.put(p + "output/dense/bias", new long[]{H});
            shapes.put(p + "output/LayerNorm/gamma", new long[]{H});
            shapes.put(p + "output/LayerNorm/beta", new long[]{H});
        }
        shapes.put("bert/pooler/dense/kernel", new long[]{H, H});
        shapes.put("bert/pooler/dense/bias", new long[]{H});
        shapes.put("cls/predictions/output_bias", new long[]{V});
        for (var e : new ArrayList<>(shapes.entrySet())) {
            out.add(T.f32(prefix + e.getKey(), e.getValue(), random(r, (int) Tensor.numel(e.getValue(), e.getKey()))));
            if (optimizer && e.getKey().startsWith("bert/")) {
                out.add(T.f32(prefix + e.getKey() + "/adam_m", e.getValue(), random(r, (int) Tensor.numel(e.getValue(), e.getKey()))));
                out.add(T.f32(prefix + e.getKey() + "/adam_v", e.getValue(), random(r, (int) Tensor.numel(e.getValue(), e.getKey()))));
            }
        }
        if (optimizer) out.add(new T("global_step", 9, new long[0], ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).array()));
        return out;
    }

    static float[] random(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
        return v;
    }

    /** Google's release layout in {@code dir}: bert_config.json, vocab.txt, bert_model.ckpt.{index,data-00000-of-00001}. */
    static List<T> googleRelease(Path dir, Options o) throws IOException {
        Files.createDirectories(dir);
        List<T> ts = tinyBert("", 7, true);
        write(dir.resolve("bert_model.ckpt"), ts, o);
        Files.writeString(dir.resolve("bert_config.json"), bertConfig(H));
        Files.writeString(dir.resolve("vocab.txt"), VOCAB);
        return ts;
    }

    /** A TF-Hub SavedModel in {@code dir}: saved_model.pb (a placeholder: never parsed), variables/, assets/. */
    static List<T> savedModel(Path dir, boolean lowerCase) throws IOException {
        Files.createDirectories(dir.resolve("variables"));
        Files.createDirectories(dir.resolve("assets"));
        List<T> ts = tinyBert("module/", 9, false);
        write(dir.resolve("variables/variables"), ts, new Options());
        Files.write(dir.resolve("saved_model.pb"), new byte[]{8, 1});
        Files.writeString(dir.resolve("assets/vocab.txt"), VOCAB);
        Files.writeString(dir.resolve("assets/model.json"), "{\"doLowerCase\": " + lowerCase + ", \"maxSequenceLength\": 12}");
        return ts;
    }

    static float[] floats(T t) {
        float[] v = new float[t.bytes().length / 4];
        ByteBuffer.wrap(t.bytes()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }
}
