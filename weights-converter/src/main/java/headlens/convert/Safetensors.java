package headlens.convert;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import headlens.core.AtomicFiles;
import headlens.core.HeadlensException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reader and writer of the safetensors format (https://huggingface.co/docs/safetensors): an 8-byte little-endian
 * header length N, N bytes of JSON ({name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}}),
 * then the tensor bytes, offsets relative to the end of the header. The header is untrusted: its size is bounded,
 * dtypes come from an allow-list, and the byte spans must tile the data region exactly (no overlap, no hole).
 */
public final class Safetensors {
    private Safetensors() {}

    /** Largest header we parse (the reference implementation uses the same 100 MB bound). */
    public static final long MAX_HEADER = 100_000_000L;
    public static final String METADATA = "__metadata__";

    /** Not core.Json's mapper: checkpoint headers and hub files are untrusted, so nesting is bounded and duplicate keys fail. */
    static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build());

    /** A parsed file: tensors in header order (memory-mapped, read-only) and the metadata map. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    public static Map<String, Tensor> read(Path file) {
        return readWithMetadata(file).tensors();
    }

    public static Contents readWithMetadata(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return parse(file, ch);
        } catch (NoSuchFileException e) {
            throw new HeadlensException(file + ": no such file");
        } catch (IOException e) {
            throw new HeadlensException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private record Entry(String name, DType dtype, long[] shape, long begin, long end) {}

    private static Contents parse(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < 8) throw bad(file, "file is " + size + " bytes, shorter than the 8-byte header length");
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, lenBuf, 0);
        long n = lenBuf.getLong(0);
        if (n < 2 || n > MAX_HEADER)
            throw bad(file, "header length " + Long.toUnsignedString(n) + " is outside 2.." + MAX_HEADER + " bytes");
        if (n > size - 8) throw bad(file, "header length " + n + " exceeds the file size " + size + " (truncated file?)");
        ByteBuffer hb = ByteBuffer.allocate((int) n);
        readFully(ch, hb, 8);
        byte[] headerBytes = hb.array();
        if (headerBytes[0] != '{') throw bad(file, "header does not start with '{'");
        JsonNode root;
        try {
            root = JSON.readTree(new String(headerBytes, StandardCharsets.UTF_8).stripTrailing());
        } catch (IOException e) {
            throw bad(file, "header is not valid JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
        if (!(root instanceof ObjectNode obj)) throw bad(file, "header is not a JSON object");

        long dataStart = 8 + n, dataLen = size - dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
            var f = it.next();
            String name = f.getKey();
            JsonNode v = f.getValue();
            if (name.equals(METADATA)) {
                if (!v.isObject()) throw bad(file, "__metadata__ is not an object");
                for (Iterator<Map.Entry<String, JsonNode>> m = v.fields(); m.hasNext(); ) {
                    var me = m.next();
                    if (!me.getValue().isTextual()) throw bad(file, "__metadata__ value '" + me.getKey() + "' is not a string");
                    metadata.put(me.getKey(), me.getValue().asText());
                }
                continue;
            }
            entries.add(entry(file, name, v, dataLen));
        }
        // The spans must tile [0, dataLen) exactly: sorted by begin, each starts where the previous ended.
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long pos = 0;
        for (Entry e : sorted) {
            if (e.begin < pos) throw bad(file, "tensor '" + e.name + "' data_offsets [" + e.begin + ", " + e.end + "] overlap the previous tensor (ends at " + pos + ")");
            if (e.begin > pos) throw bad(file, "tensor '" + e.name + "' data_offsets [" + e.begin + ", " + e.end + "] leave a gap after byte " + pos);
            pos = e.end;
        }
        if (pos != dataLen)
            throw bad(file, "tensors cover " + pos + " data bytes but the file has " + dataLen + " after the header"
                    + (pos > dataLen ? " (truncated file?)" : ""));

        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Entry e : entries) {
            ByteBuffer buf = e.end == e.begin ? ByteBuffer.allocate(0)
                    : ch.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin, e.end - e.begin);
            out.put(e.name, new Tensor(e.name, e.dtype, e.shape, buf));
        }
        return new Contents(out, metadata);
    }

    private static Entry entry(Path file, String name, JsonNode v, long dataLen) {
        String where = "tensor '" + name + "'";
        if (!v.isObject()) throw bad(file, where + ": header entry is not an object");
        JsonNode dt = v.get("dtype"), sh = v.get("shape"), off = v.get("data_offsets");
        if (dt == null || !dt.isTextual()) throw bad(file, where + ": missing dtype");
        DType dtype = DType.fromSafetensors(dt.asText()).orElseThrow(() ->
                bad(file, where + ": dtype '" + dt.asText() + "' is not supported (allowed: " + DType.allowed() + ")"));
        if (sh == null || !sh.isArray()) throw bad(file, where + ": missing shape");
        if (sh.size() > 8) throw bad(file, where + ": rank " + sh.size() + " is more than 8");
        long[] shape = new long[sh.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = sh.get(i);
            if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) throw bad(file, where + ": shape " + sh + " has a bad dimension");
            shape[i] = d.asLong();
        }
        if (off == null || !off.isArray() || off.size() != 2 || !off.get(0).isIntegralNumber() || !off.get(1).isIntegralNumber()
                || !off.get(0).canConvertToLong() || !off.get(1).canConvertToLong())
            throw bad(file, where + ": data_offsets must be [begin, end]");
        long begin = off.get(0).asLong(), end = off.get(1).asLong();
        if (begin < 0 || end < begin) throw bad(file, where + ": data_offsets [" + begin + ", " + end + "] are not an interval");
        if (end > dataLen) throw bad(file, where + ": data_offsets [" + begin + ", " + end + "] go past the end of the file (" + dataLen + " data bytes; truncated file?)");
        long bytes;
        try {
            bytes = Math.multiplyExact(Tensor.numel(shape, name), dtype.size());
        } catch (ArithmeticException e) {
            throw bad(file, where + ": shape " + sh + " overflows");
        }
        if (bytes != end - begin)
            throw bad(file, where + ": shape " + sh + " x " + dtype + " is " + bytes + " bytes but data_offsets span " + (end - begin));
        return new Entry(name, dtype, shape, begin, end);
    }

    /** Writes tensors in the given order (names must be unique) with optional metadata; atomically. */
    public static void write(Path file, Collection<Tensor> tensors, Map<String, String> metadata) {
        write(file, tensors, metadata, false);
    }

    /**
     * As {@link #write(Path, Collection, Map)}, but every floating-point tensor is stored as F32: F16/BF16 data is widened
     * while streaming into the file (bounded memory, bit-exact), integer tensors are kept as they are.
     */
    public static void writeF32(Path file, Collection<Tensor> tensors, Map<String, String> metadata) {
        write(file, tensors, metadata, true);
    }

    private static void write(Path file, Collection<Tensor> tensors, Map<String, String> metadata, boolean toF32) {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode m = header.putObject(METADATA);
            metadata.forEach(m::put);
        }
        Set<String> seen = new HashSet<>();
        long offset = 0;
        for (Tensor t : tensors) {
            if (t.name().equals(METADATA) || !seen.add(t.name()))
                throw new IllegalArgumentException(file + ": duplicate or reserved tensor name '" + t.name() + "'");
            boolean widen = toF32 && t.dtype().isFloating();
            ObjectNode e = header.putObject(t.name());
            e.put("dtype", widen ? DType.F32.name() : t.dtype().name());
            var s = e.putArray("shape");
            for (long d : t.shape()) s.add(d);
            var o = e.putArray("data_offsets");
            o.add(offset);
            offset += widen ? Math.multiplyExact(t.numel(), 4L) : t.byteSize();
            o.add(offset);
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(header);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        int padded = (json.length + 7) / 8 * 8;           // keep the data 8-byte aligned, like the reference writer
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) head.put((byte) ' ');
        head.flip();
        try {
            AtomicFiles.write(file, ch -> {
                writeFully(ch, head);
                Widening widening = toF32 ? new Widening() : null;
                for (Tensor t : tensors) {
                    if (widening != null && t.dtype().isFloating()) widening.writeF32(t, ch);
                    else writeFully(ch, t.data());
                }
            });
        } catch (IOException e) {
            throw new HeadlensException(file + ": cannot write: " + e.getMessage(), e);
        }
    }

    static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            int r = ch.read(b, pos);
            if (r < 0) throw new IOException("unexpected end of file");
            pos += r;
        }
    }

    private static HeadlensException bad(Path file, String msg) {
        return new HeadlensException(file + ": " + msg);
    }
}
