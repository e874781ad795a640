package headlens.convert;

import headlens.core.BoundedFiles;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import headlens.core.HeadlensException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.zip.CRC32C;

/**
 * Reader of TensorFlow's tensor bundle, the format of V2 checkpoints ({@code bert_model.ckpt.index} +
 * {@code bert_model.ckpt.data-00000-of-00001}) and of a SavedModel's {@code variables/} folder.
 *
 * <p>The {@code .index} file is a LevelDB-format table (tensorflow/core/lib/io/table_format.cc): data blocks of
 * prefix-compressed key/value entries with a restart array, each block followed by a 5-byte trailer (compression type,
 * masked crc32c of contents + type); an index block mapping separator keys to data-block handles; a 48-byte footer
 * (metaindex and index handles as varints, padding, magic {@code 0xdb4775248b80fb57}). Keys are tensor names; the
 * value under the empty key is a {@code BundleHeaderProto} (num_shards, endianness), every other value a
 * {@code BundleEntryProto} (dtype, shape, shard_id, offset, size, crc32c), both parsed here field by field with
 * protobuf's wire-format reader (tensorflow/core/protobuf/tensor_bundle.proto).
 *
 * <p>The index is untrusted: block handles, entry lengths and restart counts are bounded by the file, keys must be
 * strictly increasing, compressed blocks, big-endian bundles, partitioned (sliced) variables and dtypes outside
 * {@link DType} are refused, and every tensor's span must lie inside its shard without overlapping another. Data
 * shards are memory-mapped; every tensor's masked crc32c is verified before it is returned.
 */
public final class TfBundle {
    private TfBundle() {}

    static final long TABLE_MAGIC = 0xdb4775248b80fb57L;
    static final int FOOTER = 48, BLOCK_TRAILER = 5;
    /** Largest index we read; Google's BERT-large index is 40 kB, one with Adam slots about three times that. */
    public static final long MAX_INDEX_BYTES = 64L << 20;
    static final int MAX_SHARDS = 100_000, MAX_RANK = 32;
    private static final int MASK_DELTA = 0xa282ead8;

    /** One tensor's index record. {@code crc32c} is the masked value as stored. */
    public record Entry(String name, DType dtype, long[] shape, int shard, long offset, long size, int crc32c) {}

    /** A parsed index: the shard count and the entries in key order. */
    public record Index(int numShards, List<Entry> entries) {}

    // ------------------------------------------------------------------ reading tensors

    /**
     * Reads the tensors named by {@code wanted} from the bundle {@code prefix} ({@code prefix.index},
     * {@code prefix.data-NNNNN-of-NNNNN}). Every entry's span is checked and every tensor's crc32c verified (also of
     * those not wanted), so a damaged file is refused as a whole. Tensors are views of the mapped shards.
     */
    public static Map<String, Tensor> read(Path prefix, Predicate<String> wanted) {
        Path indexFile = indexFile(prefix);
        Index index = parseIndex(indexFile, BoundedFiles.read(indexFile, MAX_INDEX_BYTES, "a bundle index"));
        ByteBuffer[] shards = new ByteBuffer[index.numShards()];
        for (int s = 0; s < shards.length; s++) shards[s] = map(dataFile(prefix, s, index.numShards()));
        checkSpans(prefix, index, shards);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Entry e : index.entries()) {
            Path shardFile = dataFile(prefix, e.shard(), index.numShards());
            ByteBuffer bytes = slice(shards[e.shard()], e.offset(), e.size());
            int crc = mask(crc32c(bytes));
            if (crc != e.crc32c())
                throw new HeadlensException(shardFile + ": tensor '" + e.name() + "' fails its crc32c check (stored "
                        + hex(e.crc32c()) + ", computed " + hex(crc) + "): the file is damaged");
            if (wanted.test(e.name())) out.put(e.name(), new Tensor(e.name(), e.dtype(), e.shape(), bytes));
        }
        return out;
    }

    /** The index of a bundle, checked (blocks, crcs, protos) but without touching the data shards. */
    public static Index readIndex(Path prefix) {
        Path f = indexFile(prefix);
        return parseIndex(f, BoundedFiles.read(f, MAX_INDEX_BYTES, "a bundle index"));
    }

    public static Path indexFile(Path prefix) {
        return prefix.resolveSibling(prefix.getFileName() + ".index");
    }

    public static Path dataFile(Path prefix, int shard, int numShards) {
        return prefix.resolveSibling(String.format("%s.data-%05d-of-%05d", prefix.getFileName(), shard, numShards));
    }


    private static ByteBuffer map(Path f) {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
            return m.order(ByteOrder.LITTLE_ENDIAN);
        } catch (NoSuchFileException e) {
            throw new HeadlensException(f + ": no such file (data shard named by the bundle index)");
        } catch (IOException e) {
            throw new HeadlensException(f + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Each span inside its shard; no two spans of one shard overlap. */
    private static void checkSpans(Path prefix, Index index, ByteBuffer[] shards) {
        List<Entry> sorted = new ArrayList<>(index.entries());
        sorted.sort(Comparator.comparingInt(Entry::shard).thenComparingLong(Entry::offset));
        Entry prev = null;
        for (Entry e : sorted) {
            Path shardFile = dataFile(prefix, e.shard(), index.numShards());
            long cap = shards[e.shard()].capacity();
            if (e.offset() > cap || e.size() > cap - e.offset())
                throw new HeadlensException(shardFile + ": tensor '" + e.name() + "' spans bytes " + e.offset() + ".." + (e.offset() + e.size())
                        + " but the shard has " + cap + " (truncated file, or an index that points past the data)");
            if (prev != null && prev.shard() == e.shard() && e.offset() < prev.offset() + prev.size())
                throw new HeadlensException(shardFile + ": tensors '" + prev.name() + "' (" + prev.offset() + ".." + (prev.offset() + prev.size())
                        + ") and '" + e.name() + "' (" + e.offset() + ".." + (e.offset() + e.size()) + ") overlap");
            prev = e;
        }
    }

    private static ByteBuffer slice(ByteBuffer shard, long offset, long size) {
        if (size > Integer.MAX_VALUE) throw new HeadlensException("tensor of " + size + " bytes is larger than 2 GiB, which this reader does not map");
        return shard.duplicate().position((int) offset).limit((int) (offset + size)).slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    // ------------------------------------------------------------------ the index table

    /** Parses an index file's bytes. {@code file} only names the source in messages. */
    public static Index parseIndex(Path file, byte[] b) {
        if (b.length < FOOTER) throw bad(file, "file is " + b.length + " bytes, shorter than the " + FOOTER + "-byte table footer");
        ByteBuffer le = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        if (le.getLong(b.length - 8) != TABLE_MAGIC) throw bad(file, "no table magic number at the end (not a TensorFlow bundle index, or truncated)");
        int[] pos = {b.length - FOOTER};
        long[] meta = {varint64(file, b, pos, b.length - 8, "footer"), varint64(file, b, pos, b.length - 8, "footer")};
        long[] idx = {varint64(file, b, pos, b.length - 8, "footer"), varint64(file, b, pos, b.length - 8, "footer")};
        long tableEnd = b.length - FOOTER;
        block(file, b, meta[0], meta[1], tableEnd, "metaindex block");  // checked, content unused (TensorFlow writes it empty)
        byte[] indexBlock = block(file, b, idx[0], idx[1], tableEnd, "index block");

        Integer numShards = null;
        List<Entry> entries = new ArrayList<>();
        byte[] lastKey = null;
        for (KV handle : entries(file, indexBlock, "index block")) {
            int[] hp = {0};
            long off = varint64(file, handle.value, hp, handle.value.length, "index block handle");
            long size = varint64(file, handle.value, hp, handle.value.length, "index block handle");
            byte[] data = block(file, b, off, size, tableEnd, "data block at offset " + off);
            for (KV kv : entries(file, data, "data block at offset " + off)) {
                if (lastKey != null && Arrays.compareUnsigned(kv.key, lastKey) <= 0)
                    throw bad(file, "keys are not in increasing order at '" + name(kv.key) + "'");
                lastKey = kv.key;
                if (kv.key.length == 0) {
                    numShards = header(file, kv.value);
                } else {
                    entries.add(entry(file, name(kv.key), kv.value));
                }
            }
        }
        if (numShards == null) throw bad(file, "no bundle header (the entry under the empty key)");
        for (Entry e : entries)
            if (e.shard() >= numShards)
                throw bad(file, "tensor '" + e.name() + "' is in shard " + e.shard() + " but the header says " + numShards + " shard(s)");
        return new Index(numShards, List.copyOf(entries));
    }

    private record KV(byte[] key, byte[] value) {}

    /** A block's contents after checking its trailer (uncompressed, crc32c of contents + type byte). */
    private static byte[] block(Path file, byte[] b, long off, long size, long limit, String what) {
        if (off < 0 || size < 0 || off > limit || size > limit - off || BLOCK_TRAILER > limit - off - size)
            throw bad(file, what + ": handle (offset " + off + ", size " + size + ") points outside the table (" + limit + " bytes)");
        int o = (int) off, n = (int) size;
        byte type = b[o + n];
        if (type != 0) throw bad(file, what + ": compressed block (type " + type + "); only uncompressed tables are read");
        CRC32C crc = new CRC32C();
        crc.update(b, o, n + 1);
        int stored = ByteBuffer.wrap(b, o + n + 1, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        int computed = mask((int) crc.getValue());
        if (stored != computed) throw bad(file, what + ": block crc32c mismatch (stored " + hex(stored) + ", computed " + hex(computed) + ")");
        return Arrays.copyOfRange(b, o, o + n);
    }

    /** The key/value entries of a block (keys prefix-compressed against the previous key). */
    private static List<KV> entries(Path file, byte[] blk, String what) {
        if (blk.length < 4) throw bad(file, what + ": " + blk.length + " bytes, too short for its restart count");
        long numRestarts = Integer.toUnsignedLong(ByteBuffer.wrap(blk, blk.length - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt());
        if (numRestarts > (blk.length - 4) / 4) throw bad(file, what + ": restart count " + numRestarts + " does not fit the block");
        int end = blk.length - 4 - (int) numRestarts * 4;
        List<KV> out = new ArrayList<>();
        byte[] key = new byte[0];
        int[] p = {0};
        while (p[0] < end) {
            long shared = varint32(file, blk, p, end, what), unshared = varint32(file, blk, p, end, what), vlen = varint32(file, blk, p, end, what);
            if (shared > key.length) throw bad(file, what + ": entry shares " + shared + " key bytes with a previous key of " + key.length);
            if (unshared > end - p[0] || vlen > end - p[0] - unshared) throw bad(file, what + ": entry runs past the block end");
            byte[] k = Arrays.copyOf(key, (int) (shared + unshared));
            System.arraycopy(blk, p[0], k, (int) shared, (int) unshared);
            p[0] += (int) unshared;
            byte[] v = Arrays.copyOfRange(blk, p[0], p[0] + (int) vlen);
            p[0] += (int) vlen;
            out.add(new KV(k, v));
            key = k;
        }
        return out;
    }

    // ------------------------------------------------------------------ protos (tensor_bundle.proto)

    /** BundleHeaderProto: num_shards = 1, endianness = 2 (LITTLE = 0), version = 3. Returns num_shards. */
    private static int header(Path file, byte[] v) {
        long numShards = 0, endianness = 0;
        try {
            CodedInputStream in = CodedInputStream.newInstance(v);
            for (int tag; (tag = in.readTag()) != 0; ) {
                switch (WireFormat.getTagFieldNumber(tag)) {
                    case 1 -> numShards = varintField(file, in, tag, "bundle header num_shards");
                    case 2 -> endianness = varintField(file, in, tag, "bundle header endianness");
                    default -> in.skipField(tag);
                }
            }
        } catch (IOException e) {
            throw bad(file, "bundle header is not a valid protobuf message: " + e.getMessage());
        }
        if (endianness != 0) throw bad(file, "bundle is big-endian; only little-endian bundles are read");
        if (numShards < 1 || numShards > MAX_SHARDS) throw bad(file, "bundle header has num_shards " + numShards + " (allowed 1.." + MAX_SHARDS + ")");
        return (int) numShards;
    }

    /** BundleEntryProto: dtype = 1, shape = 2, shard_id = 3, offset = 4, size = 5, crc32c = 6 (fixed32), slices = 7. */
    private static Entry entry(Path file, String name, byte[] v) {
        long dtype = 0, shard = 0, offset = 0, size = 0;
        int crc = 0;
        long[] shape = new long[0];
        try {
            CodedInputStream in = CodedInputStream.newInstance(v);
            for (int tag; (tag = in.readTag()) != 0; ) {
                switch (WireFormat.getTagFieldNumber(tag)) {
                    case 1 -> dtype = varintField(file, in, tag, "tensor '" + name + "' dtype");
                    case 2 -> {
                        expect(file, tag, WireFormat.WIRETYPE_LENGTH_DELIMITED, "tensor '" + name + "' shape");
                        shape = shape(file, name, in.readByteArray());
                    }
                    case 3 -> shard = varintField(file, in, tag, "tensor '" + name + "' shard_id");
                    case 4 -> offset = varintField(file, in, tag, "tensor '" + name + "' offset");
                    case 5 -> size = varintField(file, in, tag, "tensor '" + name + "' size");
                    case 6 -> {
                        expect(file, tag, WireFormat.WIRETYPE_FIXED32, "tensor '" + name + "' crc32c");
                        crc = in.readFixed32();
                    }
                    case 7 -> throw bad(file, "tensor '" + name + "' is a partitioned (sliced) variable; not supported");
                    default -> in.skipField(tag);
                }
            }
        } catch (IOException e) {
            throw bad(file, "tensor '" + name + "': entry is not a valid protobuf message: " + e.getMessage());
        }
        DType dt = dtype(file, name, dtype);
        if (shard < 0 || shard >= MAX_SHARDS) throw bad(file, "tensor '" + name + "' has shard_id " + shard);
        if (offset < 0 || size < 0) throw bad(file, "tensor '" + name + "' has a negative offset or size");
        long numel;
        try {
            numel = Tensor.numel(shape, name);
            if (Math.multiplyExact(numel, (long) dt.size()) != size)
                throw bad(file, "tensor '" + name + "': shape " + Arrays.toString(shape) + " x " + dt + " needs "
                        + numel * dt.size() + " bytes but the index says " + size);
        } catch (ArithmeticException e) {
            throw bad(file, "tensor '" + name + "': shape " + Arrays.toString(shape) + " overflows");
        }
        return new Entry(name, dt, shape, (int) shard, offset, size, crc);
    }

    /** TensorShapeProto: dim = 2 (Dim: size = 1, name = 2), unknown_rank = 3. */
    private static long[] shape(Path file, String name, byte[] v) throws IOException {
        List<Long> dims = new ArrayList<>();
        CodedInputStream in = CodedInputStream.newInstance(v);
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 2 -> {
                    expect(file, tag, WireFormat.WIRETYPE_LENGTH_DELIMITED, "tensor '" + name + "' shape dim");
                    if (dims.size() >= MAX_RANK) throw bad(file, "tensor '" + name + "' has more than " + MAX_RANK + " dimensions");
                    CodedInputStream d = CodedInputStream.newInstance(in.readByteArray());
                    long size = 0;
                    for (int t; (t = d.readTag()) != 0; ) {
                        if (WireFormat.getTagFieldNumber(t) == 1) size = varintField(file, d, t, "tensor '" + name + "' dim size");
                        else d.skipField(t);
                    }
                    if (size < 0) throw bad(file, "tensor '" + name + "' has an unknown (-1) or negative dimension");
                    dims.add(size);
                }
                case 3 -> {
                    if (varintField(file, in, tag, "tensor '" + name + "' unknown_rank") != 0)
                        throw bad(file, "tensor '" + name + "' has an unknown rank");
                }
                default -> in.skipField(tag);
            }
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    /** TensorFlow DataType enum values we accept (types.proto), anything else refused by name or number. */
    static DType dtype(Path file, String name, long v) {
        return switch ((int) v) {
            case 1 -> DType.F32;      // DT_FLOAT
            case 3 -> DType.I32;      // DT_INT32
            case 9 -> DType.I64;      // DT_INT64
            case 14 -> DType.BF16;    // DT_BFLOAT16
            case 19 -> DType.F16;     // DT_HALF
            default -> throw bad(file, "tensor '" + name + "' has dtype " + tfTypeName(v) + "; accepted: DT_FLOAT, DT_HALF, DT_BFLOAT16, DT_INT32, DT_INT64");
        };
    }

    private static String tfTypeName(long v) {
        String[] names = {"DT_INVALID", "DT_FLOAT", "DT_DOUBLE", "DT_INT32", "DT_UINT8", "DT_INT16", "DT_INT8", "DT_STRING",
                "DT_COMPLEX64", "DT_INT64", "DT_BOOL", "DT_QINT8", "DT_QUINT8", "DT_QINT32", "DT_BFLOAT16"};
        return v >= 0 && v < names.length ? names[(int) v] : "enum value " + v;
    }

    private static long varintField(Path file, CodedInputStream in, int tag, String what) throws IOException {
        expect(file, tag, WireFormat.WIRETYPE_VARINT, what);
        return in.readInt64();
    }

    private static void expect(Path file, int tag, int wireType, String what) {
        if (WireFormat.getTagWireType(tag) != wireType) throw bad(file, what + ": wire type " + WireFormat.getTagWireType(tag) + ", expected " + wireType);
    }

    // ------------------------------------------------------------------ primitives

    private static long varint64(Path file, byte[] b, int[] p, int end, String what) {
        long r = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (p[0] >= end) throw bad(file, what + ": varint runs past its region");
            int x = b[p[0]++] & 0xff;
            r |= (long) (x & 0x7f) << shift;
            if ((x & 0x80) == 0) return r;
        }
        throw bad(file, what + ": varint longer than 10 bytes");
    }

    private static long varint32(Path file, byte[] b, int[] p, int end, String what) {
        long v = varint64(file, b, p, end, what);
        if (v < 0 || v > 0xffffffffL) throw bad(file, what + ": length " + v + " is not a 32-bit value");
        return v;
    }

    /** crc32c of a buffer's remaining bytes (buffer position unchanged). */
    static int crc32c(ByteBuffer b) {
        CRC32C c = new CRC32C();
        c.update(b.duplicate());
        return (int) c.getValue();
    }

    /** LevelDB/TensorFlow crc masking: rotate right by 15 and add a constant (crc32c.h). */
    static int mask(int crc) {
        return ((crc >>> 15) | (crc << 17)) + MASK_DELTA;
    }

    private static String name(byte[] key) {
        return new String(key, StandardCharsets.UTF_8);
    }

    private static String hex(int v) {
        return String.format("0x%08x", v);
    }

    private static HeadlensException bad(Path file, String msg) {
        return new HeadlensException(file + ": " + msg);
    }
}
