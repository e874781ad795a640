package headlens.convert;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A named n-dimensional array as stored in a weight file: element type, shape (row-major) and the raw
 * little-endian bytes. The buffer may be a memory-mapped view of the file; it is never written through.
 */
public record Tensor(String name, DType dtype, long[] shape, ByteBuffer data) {

    public Tensor {
        long n = numel(shape, name);
        if (Math.multiplyExact(n, (long) dtype.size()) != data.remaining())
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape) + " x " + dtype
                    + " needs " + n * dtype.size() + " bytes, data has " + data.remaining());
        data = data.slice().order(ByteOrder.LITTLE_ENDIAN).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        shape = shape.clone();
    }

    @Override
    public long[] shape() { return shape.clone(); }

    @Override
    public ByteBuffer data() { return data.duplicate().order(ByteOrder.LITTLE_ENDIAN); }

    public long numel() { return numel(shape, name); }

    public int rank() { return shape.length; }

    public long byteSize() { return data.remaining(); }

    /** Product of dims with overflow and sign checks. */
    public static long numel(long[] shape, String name) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) throw new IllegalArgumentException("tensor '" + name + "': negative dimension in " + Arrays.toString(shape));
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Values as floats, widened exactly from F16/BF16. */
    public float[] toFloats() {
        int n = checkedCount();
        float[] out = new float[n];
        ByteBuffer b = data();
        switch (dtype) {
            case F32 -> b.asFloatBuffer().get(out);
            case F16 -> {
                short[] h = new short[n];
                b.asShortBuffer().get(h);
                float[] table = HalfTable.TABLE;
                for (int i = 0; i < n; i++) out[i] = table[h[i] & 0xffff];
            }
            case BF16 -> {
                short[] h = new short[n];
                b.asShortBuffer().get(h);
                for (int i = 0; i < n; i++) out[i] = Float.intBitsToFloat((h[i] & 0xffff) << 16);
            }
            default -> throw new IllegalStateException("tensor '" + name + "' is " + dtype + ", not floating point");
        }
        return out;
    }

    public long[] toLongs() {
        int n = checkedCount();
        long[] out = new long[n];
        ByteBuffer b = data();
        switch (dtype) {
            case I64 -> b.asLongBuffer().get(out);
            case I32 -> { for (int i = 0; i < n; i++) out[i] = b.getInt(4 * i); }
            default -> throw new IllegalStateException("tensor '" + name + "' is " + dtype + ", not integer");
        }
        return out;
    }

    /** This tensor as F32 (itself when already F32). */
    public Tensor toF32() {
        return dtype == DType.F32 ? this : ofFloats(name, shape, toFloats());
    }

    public Tensor withName(String newName) { return new Tensor(newName, dtype, shape, data); }

    /** A rank-2 tensor transposed ([a, b] -> [b, a]), any dtype (elements moved as bytes). */
    public Tensor transpose2d() {
        if (shape.length != 2) throw new IllegalStateException("tensor '" + name + "': transpose needs rank 2, got " + Arrays.toString(shape));
        int rows = Math.toIntExact(shape[0]), cols = Math.toIntExact(shape[1]), es = dtype.size();
        byte[] src = new byte[Math.toIntExact(byteSize())];
        data().get(src);
        byte[] dst = new byte[src.length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                System.arraycopy(src, (r * cols + c) * es, dst, (c * rows + r) * es, es);
        return new Tensor(name, dtype, new long[]{cols, rows}, ByteBuffer.wrap(dst));
    }

    /** Same name, dtype, shape and bytes (NaN payloads included). */
    public boolean sameContent(Tensor o) {
        return name.equals(o.name) && dtype == o.dtype && Arrays.equals(shape, o.shape) && data.equals(o.data);
    }

    public static Tensor ofFloats(String name, long[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(values.length, 4)).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return new Tensor(name, DType.F32, shape, b);
    }

    public static Tensor ofLongs(String name, long[] shape, long[] values) {
        ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(values.length, 8)).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return new Tensor(name, DType.I64, shape, b);
    }

    private int checkedCount() {
        long n = numel();
        if (n > Integer.MAX_VALUE - 8) throw new IllegalStateException("tensor '" + name + "' has " + n + " elements, too many for one array");
        return (int) n;
    }

    @Override
    public String toString() { return name + " " + dtype + Arrays.toString(shape); }

    /** All 65536 half values widened once (bulk conversion is a table lookup). */
    private static final class HalfTable {
        static final float[] TABLE = new float[65536];
        static { for (int i = 0; i < 65536; i++) TABLE[i] = DType.halfToFloat((short) i); }
    }
}
