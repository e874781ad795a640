package headlens.convert;

import java.util.Arrays;
import java.util.Optional;

/** Element types we accept in weight files (an allow-list: anything else is refused by name). */
public enum DType {
    F32(4), F16(2), BF16(2), I64(8), I32(4);

    private final int size;

    DType(int size) { this.size = size; }

    /** Bytes per element. */
    public int size() { return size; }

    public boolean isFloating() { return this == F32 || this == F16 || this == BF16; }

    /** The safetensors dtype string ("F32", "BF16", ...), or empty when not in the allow-list. */
    public static Optional<DType> fromSafetensors(String s) {
        return Arrays.stream(values()).filter(d -> d.name().equals(s)).findFirst();
    }

    public static String allowed() { return Arrays.toString(values()); }

    /** IEEE 754 half -> float; exact (every half value is a float value). Java 17 has no Float.float16ToFloat. */
    public static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));   // inf / nan (payload kept)
        if (exp == 0) {
            float v = mant * 0x1p-24f;                                                 // subnormal (or zero): exact
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }

    /**
     * IEEE 754 half -> the bits of the equal float, in integer arithmetic only (so NaN payloads and signs pass through
     * untouched, whatever the hardware does with float moves).
     */
    public static int halfToFloatBits(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) return sign | 0x7f800000 | (mant << 13);   // inf / nan
        if (exp != 0) return sign | ((exp - 15 + 127) << 23) | (mant << 13);
        if (mant == 0) return sign;                                 // +-0
        int p = 31 - Integer.numberOfLeadingZeros(mant);            // subnormal mant * 2^-24 = 2^(p-24) * (mant / 2^p)
        return sign | ((p - 24 + 127) << 23) | ((mant << (23 - p)) & 0x7fffff);
    }

    /** bfloat16 -> float: the upper 16 bits of a float, so widening is a shift. */
    public static float bf16ToFloat(short b) {
        return Float.intBitsToFloat((b & 0xffff) << 16);
    }
}
