package headlens.convert;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * Writes a floating-point tensor's values as little-endian F32 into a channel. F32 data is written as is; F16 and BF16 are
 * widened chunk by chunk through fixed scratch buffers, so memory stays bounded however large the tensor (the whole-tensor
 * {@code short[]} + {@code float[]} copies of {@link Tensor#toF32()} made GC dominate the converter). Widening is exact and
 * works on bit patterns only: every half/bfloat16 value, NaN payloads and -0 included, maps to the equal float's bits.
 */
final class Widening {
    /** Elements per chunk: 2 MiB of 16-bit input, 4 MiB of F32 output. */
    static final int DEFAULT_CHUNK = 1 << 20;

    private final int chunk;
    private short[] in;     // scratch, allocated on the first 16-bit tensor
    private int[] out;
    private ByteBuffer buf;

    Widening(int chunk) {
        if (chunk < 1 || chunk > (Integer.MAX_VALUE >> 2)) throw new IllegalArgumentException("chunk " + chunk);
        this.chunk = chunk;
    }

    Widening() { this(DEFAULT_CHUNK); }

    /** Writes {@code t} as F32 ({@code 4 * numel} bytes). */
    void writeF32(Tensor t, WritableByteChannel ch) throws IOException {
        switch (t.dtype()) {
            case F32 -> writeFully(ch, t.data());
            case F16, BF16 -> widen(t.data().asShortBuffer(), t.dtype() == DType.F16, ch);
            default -> throw new IllegalStateException("tensor '" + t.name() + "' is " + t.dtype() + ", not floating point");
        }
    }

    private void widen(ShortBuffer src, boolean half, WritableByteChannel ch) throws IOException {
        if (buf == null) {
            in = new short[chunk];
            out = new int[chunk];
            buf = ByteBuffer.allocateDirect(4 * chunk).order(ByteOrder.LITTLE_ENDIAN);
        }
        int[] table = HalfBits.TABLE;
        while (src.hasRemaining()) {
            int n = Math.min(chunk, src.remaining());
            src.get(in, 0, n);
            if (half) for (int i = 0; i < n; i++) out[i] = table[in[i] & 0xffff];
            else for (int i = 0; i < n; i++) out[i] = in[i] << 16;    // bfloat16 is the upper half of a float
            buf.clear();
            IntBuffer ib = buf.asIntBuffer();
            ib.put(out, 0, n);
            buf.limit(4 * n);
            writeFully(ch, buf);
        }
    }

    private static void writeFully(WritableByteChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }

    /** Float bits of all 65536 half values, computed once. */
    private static final class HalfBits {
        static final int[] TABLE = new int[65536];
        static { for (int i = 0; i < 65536; i++) TABLE[i] = DType.halfToFloatBits((short) i); }
    }
}
