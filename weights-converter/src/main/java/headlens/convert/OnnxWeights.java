package headlens.convert;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import headlens.config.EncoderConfig;
import headlens.core.HeadlensException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the weights of a HuggingFace BERT/XLM-R ONNX export (torch.onnx) back into HuggingFace-named tensors.
 *
 * <p>The protobuf is parsed field by field with {@link CodedInputStream} (no generated classes, only the fields we
 * need: ModelProto.graph(7); GraphProto.node(1), initializer(5); NodeProto.input(1), output(2), name(3), op_type(4),
 * attribute(5); TensorProto.dims(1), data_type(2), float_data(4), int32_data(5), int64_data(7), name(8), raw_data(9),
 * data_location(14)). Counts, ranks and data lengths are bounded and checked; sub-messages we do not need are skipped
 * without being parsed, so nesting depth is not attacker-controlled.
 *
 * <p>Name mapping (found by dumping the all-MiniLM-L6-v2 export): biases, LayerNorm parameters and embedding tables
 * keep their HuggingFace names as initializers ({@code encoder.layer.0.attention.self.query.bias}). The Linear
 * weights do not: torch.onnx exports {@code x @ W^T} as a MatMul against a pre-transposed initializer with a
 * generated name ({@code onnx::MatMul_787}, shape [in, out]). Each such MatMul's output feeds an Add whose other
 * input is the HuggingFace bias ({@code .../query/Add} with {@code encoder.layer.0.attention.self.query.bias}), so
 * the weight is named after that bias; the node name ({@code /encoder/layer.0/attention/self/query/MatMul}) is the
 * fallback. Mapped MatMul weights are transposed back to torch's [out, in]. Gemm nodes are honoured with their
 * transB attribute. A leading {@code bert.}/{@code roberta.} is stripped.
 */
public final class OnnxWeights {
    private OnnxWeights() {}

    static final int MAX_NODES = 1_000_000, MAX_INITIALIZERS = 200_000, MAX_RANK = 8, MAX_NODE_IO = 1_000;

    record Node(String name, String op, List<String> inputs, List<String> outputs, Map<String, Long> intAttrs) {}

    record Init(String name, int dataType, long[] dims, ByteBuffer data) {}

    record Graph(List<Node> nodes, Map<String, Init> initializers) {}

    /** ONNX TensorProto.DataType codes we accept. */
    static DType dtypeOf(int code) {
        return switch (code) {
            case 1 -> DType.F32;
            case 6 -> DType.I32;
            case 7 -> DType.I64;
            case 10 -> DType.F16;
            case 16 -> DType.BF16;
            default -> null;
        };
    }

    /** The encoder weights of an export, HuggingFace-named, [out, in] Linear layout, checked against the config. */
    public static Map<String, Tensor> read(Path onnxFile, EncoderConfig cfg) {
        Graph g = parse(onnxFile);
        Map<String, Tensor> out = map(onnxFile, g, cfg);
        ModelFiles.checkShapes(cfg, out, onnxFile.toString());
        return out;
    }

    static Map<String, Tensor> map(Path file, Graph g, EncoderConfig cfg) {
        Map<String, long[]> wanted = new LinkedHashMap<>(ModelFiles.expectedShapes(cfg));
        wanted.putAll(ModelFiles.optionalShapes(cfg));
        Map<String, Tensor> found = new HashMap<>();
        // 1. initializers that carry HuggingFace names
        for (Init in : g.initializers.values()) {
            String hf = stripPrefix(in.name);
            if (wanted.containsKey(hf)) found.put(hf, tensor(file, in, hf));
        }
        // 2. Linear weights behind MatMul/Gemm with generated names
        Map<String, List<Node>> consumers = new HashMap<>();
        for (Node n : g.nodes) for (String i : n.inputs) consumers.computeIfAbsent(i, k -> new ArrayList<>()).add(n);
        List<String> unmapped = new ArrayList<>();
        for (Node n : g.nodes) {
            boolean matmul = n.op.equals("MatMul"), gemm = n.op.equals("Gemm");
            if ((!matmul && !gemm) || n.inputs.size() < 2) continue;
            Init w = g.initializers.get(n.inputs.get(1));
            if (w == null || w.dims.length != 2 || wanted.containsKey(stripPrefix(w.name))) continue;
            String hf = null;
            if (gemm && n.inputs.size() >= 3) hf = weightForBias(n.inputs.get(2), wanted);
            if (hf == null && !n.outputs.isEmpty())
                for (Node c : consumers.getOrDefault(n.outputs.get(0), List.of()))
                    if (c.op.equals("Add")) for (String i : c.inputs) if (hf == null && g.initializers.containsKey(i)) hf = weightForBias(i, wanted);
            if (hf == null) hf = weightForNodeName(n.name, wanted);
            if (hf == null) { unmapped.add(w.name + " (" + n.op + " " + n.name + ")"); continue; }
            if (found.containsKey(hf)) throw new HeadlensException(file + ": two ONNX initializers map to '" + hf + "' (" + w.name + ")");
            boolean transposed = gemm ? n.intAttrs.getOrDefault("transB", 0L) == 0 : true;
            Tensor t = tensor(file, w, hf);
            found.put(hf, transposed ? t.transpose2d() : t);
        }
        Map<String, Tensor> ordered = new LinkedHashMap<>();
        for (String k : wanted.keySet()) if (found.containsKey(k)) ordered.put(k, found.get(k));
        boolean complete = ModelFiles.expectedShapes(cfg).keySet().stream().allMatch(ordered::containsKey);
        if (!complete && !unmapped.isEmpty())
            throw new HeadlensException(file + ": cannot name ONNX weights " + unmapped.subList(0, Math.min(5, unmapped.size()))
                    + "; missing " + ModelFiles.expectedShapes(cfg).keySet().stream().filter(k -> !ordered.containsKey(k)).limit(5).toList());
        return ordered;
    }

    private static String weightForBias(String biasName, Map<String, long[]> wanted) {
        String b = stripPrefix(biasName);
        if (!b.endsWith(".bias")) return null;
        String w = b.substring(0, b.length() - 5) + ".weight";
        return wanted.containsKey(w) ? w : null;
    }

    private static final Pattern NODE_NAME = Pattern.compile("^/?(.*)/(MatMul|Gemm)$");

    private static String weightForNodeName(String nodeName, Map<String, long[]> wanted) {
        Matcher m = NODE_NAME.matcher(nodeName);
        if (!m.matches()) return null;
        String w = stripPrefix(m.group(1).replace('/', '.')) + ".weight";
        return wanted.containsKey(w) ? w : null;
    }

    static String stripPrefix(String name) {
        for (String p : List.of("bert.", "roberta.")) if (name.startsWith(p)) return name.substring(p.length());
        return name;
    }

    private static Tensor tensor(Path file, Init in, String hfName) {
        DType dt = dtypeOf(in.dataType);
        if (dt == null) throw new HeadlensException(file + ": initializer '" + in.name + "' (" + hfName + ") has ONNX data_type " + in.dataType + ", not one of FLOAT, FLOAT16, BFLOAT16, INT32, INT64");
        long n;
        try {
            n = Math.multiplyExact(Tensor.numel(in.dims, in.name), dt.size());
        } catch (ArithmeticException | IllegalArgumentException e) {
            throw new HeadlensException(file + ": initializer '" + in.name + "' has bad dims " + Arrays.toString(in.dims));
        }
        if (in.data == null) throw new HeadlensException(file + ": initializer '" + in.name + "' has no data");
        if (n != in.data.remaining())
            throw new HeadlensException(file + ": initializer '" + in.name + "' dims " + Arrays.toString(in.dims) + " x " + dt
                    + " need " + n + " bytes but it holds " + in.data.remaining());
        return new Tensor(hfName, dt, in.dims, in.data);
    }

    // ---------------------------------------------------------------- protobuf parsing

    /** Parses the graph (nodes and initializers) of an ONNX file. */
    static Graph parse(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE) throw new HeadlensException(file + ": " + size + " bytes; ONNX files over 2 GB (external data) are not supported");
            return parse(file, ch.map(FileChannel.MapMode.READ_ONLY, 0, size));
        } catch (NoSuchFileException e) {
            throw new HeadlensException(file + ": no such file");
        } catch (IOException e) {
            throw new HeadlensException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** The weights of an export held in memory (the embedded default model); {@code source} names it in errors. */
    public static Map<String, Tensor> read(ByteBuffer onnx, Path source, EncoderConfig cfg) {
        Map<String, Tensor> out = map(source, parse(source, onnx), cfg);
        ModelFiles.checkShapes(cfg, out, source.toString());
        return out;
    }

    static Graph parse(Path file, ByteBuffer buf) {
        try {
            CodedInputStream in = CodedInputStream.newInstance(buf);
            in.enableAliasing(true);   // raw_data stays a view of the mapped file
            Graph graph = null;
            while (true) {
                int tag = in.readTag();
                if (tag == 0) break;
                if (WireFormat.getTagFieldNumber(tag) == 7 && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                    int limit = pushLength(in);
                    graph = parseGraph(file, in);
                    in.popLimit(limit);
                } else if (!in.skipField(tag)) break;
            }
            if (graph == null) throw new HeadlensException(file + ": not an ONNX model (no graph)");
            return graph;
        } catch (IOException | RuntimeException e) {
            if (e instanceof HeadlensException he) throw he;
            throw new HeadlensException(file + ": not a readable ONNX protobuf (corrupted or truncated?): " + e.getMessage(), e);
        }
    }

    private static int pushLength(CodedInputStream in) throws IOException {
        int len = in.readRawVarint32();
        if (len < 0) throw new IOException("negative length " + len);
        return in.pushLimit(len);
    }

    private static Graph parseGraph(Path file, CodedInputStream in) throws IOException {
        List<Node> nodes = new ArrayList<>();
        Map<String, Init> inits = new LinkedHashMap<>();
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            int field = WireFormat.getTagFieldNumber(tag), wt = WireFormat.getTagWireType(tag);
            if (field == 1 && wt == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                if (nodes.size() >= MAX_NODES) throw new HeadlensException(file + ": more than " + MAX_NODES + " nodes");
                int limit = pushLength(in);
                nodes.add(parseNode(in));
                in.popLimit(limit);
            } else if (field == 5 && wt == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                if (inits.size() >= MAX_INITIALIZERS) throw new HeadlensException(file + ": more than " + MAX_INITIALIZERS + " initializers");
                int limit = pushLength(in);
                Init t = parseTensor(file, in);
                in.popLimit(limit);
                if (inits.put(t.name, t) != null) throw new HeadlensException(file + ": duplicate initializer '" + t.name + "'");
            } else if (!in.skipField(tag)) break;
        }
        return new Graph(nodes, inits);
    }

    private static Node parseNode(CodedInputStream in) throws IOException {
        List<String> inputs = new ArrayList<>(), outputs = new ArrayList<>();
        String name = "", op = "";
        Map<String, Long> attrs = new HashMap<>();
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            int field = WireFormat.getTagFieldNumber(tag), wt = WireFormat.getTagWireType(tag);
            if (wt == WireFormat.WIRETYPE_LENGTH_DELIMITED && field >= 1 && field <= 5) {
                if (field == 5) {
                    int limit = pushLength(in);
                    parseIntAttribute(in, attrs);
                    in.popLimit(limit);
                    continue;
                }
                String s = in.readStringRequireUtf8();
                switch (field) {
                    case 1 -> inputs.add(s);
                    case 2 -> outputs.add(s);
                    case 3 -> name = s;
                    case 4 -> op = s;
                    default -> { }
                }
                if (inputs.size() + outputs.size() > MAX_NODE_IO) throw new IOException("node '" + name + "' has too many inputs/outputs");
            } else if (!in.skipField(tag)) break;
        }
        return new Node(name, op, inputs, outputs, attrs);
    }

    /** AttributeProto: name(1), i(3); only integer attributes (transB) are kept, graphs/tensors are skipped unparsed. */
    private static void parseIntAttribute(CodedInputStream in, Map<String, Long> attrs) throws IOException {
        String name = null;
        Long value = null;
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            int field = WireFormat.getTagFieldNumber(tag), wt = WireFormat.getTagWireType(tag);
            if (field == 1 && wt == WireFormat.WIRETYPE_LENGTH_DELIMITED) name = in.readStringRequireUtf8();
            else if (field == 3 && wt == WireFormat.WIRETYPE_VARINT) value = in.readInt64();
            else if (!in.skipField(tag)) break;
        }
        if (name != null && value != null) attrs.put(name, value);
    }

    private static Init parseTensor(Path file, CodedInputStream in) throws IOException {
        List<Long> dims = new ArrayList<>();
        int dataType = 0;
        String name = "";
        ByteBuffer raw = null;
        ByteBuffer typed = null;     // float_data / int32_data / int64_data, re-encoded little-endian
        int typedKind = 0;
        boolean external = false;
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            int field = WireFormat.getTagFieldNumber(tag), wt = WireFormat.getTagWireType(tag);
            switch (field) {
                case 1 -> {
                    if (wt == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                        int limit = pushLength(in);
                        while (!in.isAtEnd()) { addDim(dims, in.readInt64(), name); }
                        in.popLimit(limit);
                    } else if (wt == WireFormat.WIRETYPE_VARINT) addDim(dims, in.readInt64(), name);
                    else in.skipField(tag);
                }
                case 2 -> { if (wt == WireFormat.WIRETYPE_VARINT) dataType = in.readInt32(); else in.skipField(tag); }
                case 8 -> { if (wt == WireFormat.WIRETYPE_LENGTH_DELIMITED) name = in.readStringRequireUtf8(); else in.skipField(tag); }
                case 9 -> {
                    if (wt != WireFormat.WIRETYPE_LENGTH_DELIMITED) { in.skipField(tag); break; }
                    ByteString bs = in.readBytes();
                    raw = bs.asReadOnlyByteBuffer();
                }
                case 4, 5, 7 -> {
                    if (typedKind != 0 && typedKind != field) throw new HeadlensException(file + ": initializer '" + name + "' mixes data fields");
                    typedKind = field;
                    typed = appendTyped(typed, in, tag, field);
                }
                case 14 -> { if (wt == WireFormat.WIRETYPE_VARINT) external = in.readInt32() == 1; else in.skipField(tag); }
                default -> { if (!in.skipField(tag)) return null; }
            }
        }
        if (external) throw new HeadlensException(file + ": initializer '" + name + "' uses ONNX external data, which is not supported; re-export without external data");
        long[] d = dims.stream().mapToLong(Long::longValue).toArray();
        ByteBuffer data = raw;
        if (data == null && typed != null) {
            typed.flip();
            data = typedToBytes(file, name, dataType, typedKind, typed);
        }
        return new Init(name, dataType, d, data == null ? null : data.order(ByteOrder.LITTLE_ENDIAN));
    }

    private static void addDim(List<Long> dims, long d, String name) throws IOException {
        if (dims.size() >= MAX_RANK) throw new IOException("initializer '" + name + "' has more than " + MAX_RANK + " dims");
        if (d < 0) throw new IOException("initializer '" + name + "' has a negative dim " + d);
        dims.add(d);
    }

    /** Collects typed repeated values (packed or not) into a little-endian buffer of 4- or 8-byte elements. */
    private static ByteBuffer appendTyped(ByteBuffer acc, CodedInputStream in, int tag, int field) throws IOException {
        int wt = WireFormat.getTagWireType(tag);
        int es = field == 7 ? 8 : 4;
        if (wt == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            int len = in.readRawVarint32();
            if (len < 0 || len > in.getBytesUntilLimit() && in.getBytesUntilLimit() >= 0) throw new IOException("bad packed length " + len);
            int limit = in.pushLimit(len);
            // packed floats are 4 bytes each; varints are at least 1 byte each, so len bounds the count
            acc = ensure(acc, (long) (field == 4 ? len / 4 : len) * es);
            while (!in.isAtEnd()) readTypedOne(acc, in, field);
            in.popLimit(limit);
        } else {
            acc = ensure(acc, es);
            if (field == 4 && wt != WireFormat.WIRETYPE_FIXED32) throw new IOException("float_data with wire type " + wt);
            readTypedOne(acc, in, field);
        }
        return acc;
    }

    private static void readTypedOne(ByteBuffer acc, CodedInputStream in, int field) throws IOException {
        switch (field) {
            case 4 -> acc.putFloat(in.readFloat());
            case 5 -> acc.putInt(in.readInt32());
            default -> acc.putLong(in.readInt64());
        }
    }

    private static ByteBuffer ensure(ByteBuffer acc, long extra) throws IOException {
        if (acc == null) acc = ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
        long need = acc.position() + extra;
        if (need > Integer.MAX_VALUE - 16) throw new IOException("typed data too large");
        if (acc.remaining() >= extra) return acc;
        ByteBuffer n = ByteBuffer.allocate((int) Math.max(need, Math.min(Integer.MAX_VALUE - 16L, acc.capacity() * 2L))).order(ByteOrder.LITTLE_ENDIAN);
        acc.flip();
        n.put(acc);
        return n;
    }

    /** ONNX stores FLOAT16/BFLOAT16 bit patterns in int32_data, one per element. */
    private static ByteBuffer typedToBytes(Path file, String name, int dataType, int field, ByteBuffer typed) {
        DType dt = dtypeOf(dataType);
        boolean ok = (field == 4 && dt == DType.F32) || (field == 7 && dt == DType.I64) || (field == 5 && (dt == DType.I32 || dt == DType.F16 || dt == DType.BF16));
        if (!ok) throw new HeadlensException(file + ": initializer '" + name + "' stores data_type " + dataType + " in an unexpected field");
        if (dt == DType.F16 || dt == DType.BF16) {
            ByteBuffer out = ByteBuffer.allocate(typed.remaining() / 2).order(ByteOrder.LITTLE_ENDIAN);
            while (typed.remaining() >= 4) out.putShort((short) typed.getInt());
            return out.flip();
        }
        return typed.slice();
    }
}
