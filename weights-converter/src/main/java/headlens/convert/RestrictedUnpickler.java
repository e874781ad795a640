package headlens.convert;

import headlens.core.HeadlensException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pickle reader that understands exactly what a PyTorch state dict needs and nothing more. It never calls
 * anything: the few allowed globals ({@code collections.OrderedDict}, {@code torch._utils._rebuild_tensor_v2},
 * {@code torch._utils._rebuild_parameter}, the {@code torch.*Storage} types) are recognised by name and turned into
 * plain Java records; every other global, opcode or call shape is refused with an error naming the file and offset.
 * Sizes, memo, stack and nesting are bounded.
 */
final class RestrictedUnpickler {
    static final int MAX_DEPTH = 64, MAX_STACK = 1_000_000, MAX_MEMO = 1_000_000, MAX_STRING = 1 << 20, MAX_OPS = 50_000_000;

    static final Map<String, DType> STORAGES = Map.of(
            "FloatStorage", DType.F32, "HalfStorage", DType.F16, "BFloat16Storage", DType.BF16,
            "LongStorage", DType.I64, "IntStorage", DType.I32);
    static final Set<String> ALLOWED = Set.of("collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter",
            "torch.FloatStorage", "torch.HalfStorage", "torch.BFloat16Storage", "torch.LongStorage", "torch.IntStorage");

    record Global(String module, String name) {
        String qualified() { return module + "." + name; }
    }

    /** A tuple (immutable), with its nesting depth. */
    record Tup(List<Object> items, int depth) {}

    /** A dict or OrderedDict, with its nesting depth (mutable: SETITEMS fills it). */
    static final class Dict {
        final Map<Object, Object> map = new LinkedHashMap<>();
        int depth = 1;
    }

    static final class PList {
        final List<Object> items = new ArrayList<>();
        int depth = 1;
    }

    record StorageRef(DType dtype, String key, long numel) {}

    record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {}

    private static final Object MARK = new Object();

    private final String source;
    private final ByteBuffer b;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();

    private RestrictedUnpickler(String source, byte[] data) {
        this.source = source;
        this.b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Parses a state dict pickle into name -> tensor reference. */
    static Map<String, TensorRef> stateDict(String source, byte[] pickle) {
        Object top = new RestrictedUnpickler(source, pickle).run();
        if (!(top instanceof Dict d)) throw new HeadlensException(source + ": the pickle is not a state dict (top-level " + describe(top) + ")");
        Map<String, TensorRef> out = new LinkedHashMap<>();
        for (var e : d.map.entrySet()) {
            if (!(e.getKey() instanceof String k)) throw new HeadlensException(source + ": state dict key " + describe(e.getKey()) + " is not a string");
            if (!(e.getValue() instanceof TensorRef t)) throw new HeadlensException(source + ": state dict entry '" + k + "' is " + describe(e.getValue()) + ", not a tensor");
            out.put(k, t);
        }
        return out;
    }

    private Object run() {
        try {
            for (int ops = 0; ops < MAX_OPS; ops++) {
                int pos = b.position();
                int op = b.get() & 0xff;
                switch (op) {
                    case 0x80 -> { int proto = b.get() & 0xff; if (proto > 5) throw err(pos, "pickle protocol " + proto); }
                    case 0x95 -> { long n = b.getLong(); if (n < 0) throw err(pos, "negative frame length"); }   // FRAME: a hint only
                    case '.' -> {
                        if (stack.size() != 1 || !marks.isEmpty()) throw err(pos, "STOP with " + stack.size() + " items on the stack");
                        return stack.get(0);
                    }
                    case '(' -> { if (marks.size() >= MAX_DEPTH) throw err(pos, "nesting deeper than " + MAX_DEPTH); marks.add(stack.size()); }
                    case 'N' -> push(null);
                    case 0x88 -> push(Boolean.TRUE);
                    case 0x89 -> push(Boolean.FALSE);
                    case 'K' -> push((long) (b.get() & 0xff));
                    case 'M' -> push((long) (b.getShort() & 0xffff));
                    case 'J' -> push((long) b.getInt());
                    case 0x8a -> {
                        int n = b.get() & 0xff;
                        if (n > 8) throw err(pos, "LONG1 of " + n + " bytes");
                        long v = 0;
                        for (int i = 0; i < n; i++) v |= (long) (b.get() & 0xff) << (8 * i);
                        if (n > 0 && n < 8 && (v >> (8 * n - 1) & 1) == 1) v |= -1L << (8 * n);   // sign-extend
                        push(v);
                    }
                    case 'G' -> push(ByteBuffer.wrap(bytes(pos, 8)).order(ByteOrder.BIG_ENDIAN).getDouble());
                    case 'X' -> push(string(pos, b.getInt() & 0xffffffffL));
                    case 0x8c -> push(string(pos, b.get() & 0xff));
                    case 'c' -> push(global(pos, line(pos), line(pos)));
                    case 0x93 -> {
                        Object name = pop(pos), module = pop(pos);
                        if (!(module instanceof String m) || !(name instanceof String n)) throw err(pos, "STACK_GLOBAL without strings");
                        push(global(pos, m, n));
                    }
                    case ')' -> push(new Tup(List.of(), 1));
                    case 0x85 -> push(tuple(pos, popN(pos, 1)));
                    case 0x86 -> push(tuple(pos, popN(pos, 2)));
                    case 0x87 -> push(tuple(pos, popN(pos, 3)));
                    case 't' -> push(tuple(pos, popMark(pos)));
                    case '}' -> push(new Dict());
                    case ']' -> push(new PList());
                    case 's' -> { Object v = pop(pos), k = pop(pos); setItem(pos, peek(pos), k, v); }
                    case 'u' -> {
                        List<Object> kv = popMark(pos);
                        if (kv.size() % 2 != 0) throw err(pos, "SETITEMS with an odd number of items");
                        Object target = peek(pos);
                        for (int i = 0; i < kv.size(); i += 2) setItem(pos, target, kv.get(i), kv.get(i + 1));
                    }
                    case 'a' -> { Object v = pop(pos); append(pos, peek(pos), v); }
                    case 'e' -> { List<Object> vs = popMark(pos); Object target = peek(pos); for (Object v : vs) append(pos, target, v); }
                    case 'q' -> memoPut(pos, b.get() & 0xff);
                    case 'r' -> memoPut(pos, b.getInt() & 0xffffffffL);
                    case 0x94 -> memoPut(pos, memo.size());
                    case 'h' -> push(memoGet(pos, b.get() & 0xff));
                    case 'j' -> push(memoGet(pos, b.getInt() & 0xffffffffL));
                    case 'Q' -> push(persistent(pos, pop(pos)));
                    case 'R' -> { Object args = pop(pos), fn = pop(pos); push(reduce(pos, fn, args)); }
                    case 'b' -> {
                        Object state = pop(pos), target = peek(pos);
                        // OrderedDict state dicts carry a _metadata attribute (a dict): accepted and ignored
                        if (!(target instanceof Dict) || !(state instanceof Dict || state == null))
                            throw err(pos, "BUILD on " + describe(target) + " is not allowed");
                    }
                    default -> throw err(pos, "opcode 0x" + Integer.toHexString(op) + (op >= 32 && op < 127 ? " ('" + (char) op + "')" : "") + " is not allowed in a state dict");
                }
            }
            throw err(b.position(), "more than " + MAX_OPS + " opcodes");
        } catch (java.nio.BufferUnderflowException e) {
            throw new HeadlensException(source + ": pickle ends unexpectedly (truncated?)");
        }
    }

    private Object global(int pos, String module, String name) {
        String q = module + "." + name;
        if (!ALLOWED.contains(q)) throw err(pos, "global '" + q + "' is not allowed (only " + new java.util.TreeSet<>(ALLOWED) + ")");
        return new Global(module, name);
    }

    private Object reduce(int pos, Object fn, Object args) {
        if (!(fn instanceof Global g)) throw err(pos, "REDUCE on " + describe(fn) + " (only allowed globals may be called)");
        if (!(args instanceof Tup t)) throw err(pos, "REDUCE arguments are not a tuple");
        List<Object> a = t.items();
        switch (g.qualified()) {
            case "collections.OrderedDict" -> {
                if (!a.isEmpty()) throw err(pos, "OrderedDict called with arguments");
                return new Dict();
            }
            case "torch._utils._rebuild_tensor_v2" -> {
                if (a.size() < 6 || a.size() > 7 || !(a.get(0) instanceof StorageRef s) || !(a.get(1) instanceof Long off)
                        || !(a.get(2) instanceof Tup size) || !(a.get(3) instanceof Tup stride) || !(a.get(4) instanceof Boolean)
                        || !(a.get(5) instanceof Dict hooks) || !hooks.map.isEmpty())
                    throw err(pos, "unexpected arguments to _rebuild_tensor_v2");
                long[] sz = longs(pos, size), st = longs(pos, stride);
                if (sz.length != st.length) throw err(pos, "tensor size and stride differ in rank");
                return new TensorRef(s, off, sz, st);
            }
            case "torch._utils._rebuild_parameter" -> {
                if (a.size() != 3 || !(a.get(0) instanceof TensorRef tr) || !(a.get(1) instanceof Boolean)) throw err(pos, "unexpected arguments to _rebuild_parameter");
                return tr;
            }
            default -> throw err(pos, "calling '" + g.qualified() + "' is not allowed");
        }
    }

    private long[] longs(int pos, Tup t) {
        if (t.items().size() > 8) throw err(pos, "tensor rank " + t.items().size() + " is more than 8");
        long[] out = new long[t.items().size()];
        for (int i = 0; i < out.length; i++) {
            if (!(t.items().get(i) instanceof Long v) || v < 0) throw err(pos, "bad tensor size/stride " + t.items());
            out[i] = v;
        }
        return out;
    }

    private Object persistent(int pos, Object pid) {
        // ('storage', storage_type, key, location, numel)
        if (!(pid instanceof Tup t) || t.items().size() != 5 || !"storage".equals(t.items().get(0))
                || !(t.items().get(1) instanceof Global g) || !g.module().equals("torch") || !STORAGES.containsKey(g.name())
                || !(t.items().get(2) instanceof String key) || !(t.items().get(3) instanceof String) || !(t.items().get(4) instanceof Long n) || n < 0)
            throw err(pos, "persistent id " + describe(pid) + " is not a torch storage reference");
        if (!key.matches("[A-Za-z0-9_]{1,64}")) throw err(pos, "storage key '" + key + "' is not a plain name");
        return new StorageRef(STORAGES.get(g.name()), key, n);
    }

    private void setItem(int pos, Object target, Object k, Object v) {
        if (!(target instanceof Dict d)) throw err(pos, "SETITEM on " + describe(target));
        if (!(k instanceof String || k instanceof Long)) throw err(pos, "dict key " + describe(k) + " is not allowed");
        d.depth = Math.max(d.depth, depth(v) + 1);
        if (d.depth > MAX_DEPTH) throw err(pos, "nesting deeper than " + MAX_DEPTH);
        d.map.put(k, v);
    }

    private void append(int pos, Object target, Object v) {
        if (!(target instanceof PList l)) throw err(pos, "APPEND on " + describe(target));
        l.depth = Math.max(l.depth, depth(v) + 1);
        if (l.depth > MAX_DEPTH) throw err(pos, "nesting deeper than " + MAX_DEPTH);
        l.items.add(v);
    }

    private Tup tuple(int pos, List<Object> items) {
        int d = 1;
        for (Object o : items) d = Math.max(d, depth(o) + 1);
        if (d > MAX_DEPTH) throw err(pos, "nesting deeper than " + MAX_DEPTH);
        return new Tup(java.util.Collections.unmodifiableList(new ArrayList<>(items)), d);
    }

    private static int depth(Object o) {
        return o instanceof Tup t ? t.depth() : o instanceof Dict d ? d.depth : o instanceof PList l ? l.depth : 0;
    }

    private void memoPut(int pos, long idx) {
        if (stack.isEmpty()) throw err(pos, "memo store on an empty stack");
        if (memo.size() >= MAX_MEMO) throw err(pos, "memo larger than " + MAX_MEMO);
        memo.put(idx, stack.get(stack.size() - 1));
    }

    private Object memoGet(int pos, long idx) {
        if (!memo.containsKey(idx)) throw err(pos, "memo entry " + idx + " not defined");
        return memo.get(idx);
    }

    private String string(int pos, long len) {
        if (len > MAX_STRING || len > b.remaining()) throw err(pos, "string of " + len + " bytes (limit " + MAX_STRING + ", " + b.remaining() + " left)");
        return new String(bytes(pos, (int) len), StandardCharsets.UTF_8);
    }

    private byte[] bytes(int pos, int n) {
        if (n > b.remaining()) throw err(pos, "pickle ends unexpectedly");
        byte[] out = new byte[n];
        b.get(out);
        return out;
    }

    private String line(int pos) {
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (!b.hasRemaining()) throw err(pos, "unterminated GLOBAL");
            byte c = b.get();
            if (c == '\n') return sb.toString();
            if (sb.length() >= 256 || c < 32 || c > 126) throw err(pos, "bad GLOBAL name");
            sb.append((char) c);
        }
    }

    private void push(Object o) {
        if (stack.size() >= MAX_STACK) throw err(b.position(), "stack larger than " + MAX_STACK);
        stack.add(o);
    }

    private Object pop(int pos) {
        int floor = marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
        if (stack.size() <= floor) throw err(pos, "stack underflow");
        return stack.remove(stack.size() - 1);
    }

    private Object peek(int pos) {
        if (stack.isEmpty()) throw err(pos, "stack underflow");
        return stack.get(stack.size() - 1);
    }

    private List<Object> popN(int pos, int n) {
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(0, pop(pos));
        return out;
    }

    private List<Object> popMark(int pos) {
        if (marks.isEmpty()) throw err(pos, "no MARK");
        int m = marks.remove(marks.size() - 1);
        List<Object> sub = stack.subList(m, stack.size());
        List<Object> out = new ArrayList<>(sub);
        sub.clear();
        return out;
    }

    private static String describe(Object o) {
        if (o == null) return "None";
        if (o instanceof Global g) return "global " + g.qualified();
        if (o instanceof Tup) return "a tuple";
        if (o instanceof Dict) return "a dict";
        if (o instanceof PList) return "a list";
        if (o instanceof TensorRef) return "a tensor";
        if (o instanceof StorageRef) return "a storage";
        return o.getClass().getSimpleName() + " " + (o instanceof String s && s.length() > 40 ? s.substring(0, 40) + "..." : o);
    }

    private HeadlensException err(int pos, String msg) {
        return new HeadlensException(source + ": refused pickle at byte " + pos + ": " + msg);
    }
}
