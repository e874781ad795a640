package headlens.tokenize;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * SentencePiece's precompiled normalization map: a darts-clone double-array trie over UTF-8 byte strings whose values are
 * offsets into a blob of NUL-terminated replacement strings. Layout: uint32 LE trie size in bytes, the trie units, the blob.
 */
final class CharsMap {
    private final int[] units;
    private final String[] replacements; // by blob offset, sparse

    private CharsMap(int[] units, String[] replacements) {
        this.units = units;
        this.replacements = replacements;
    }

    static CharsMap parse(byte[] data, String where) {
        if (data.length < 4) throw new TokenizerException(where + ": precompiled charsmap has " + data.length + " bytes, expected at least 4");
        ByteBuffer bb = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        long trieSize = Integer.toUnsignedLong(bb.getInt());
        if (trieSize % 4 != 0 || trieSize > data.length - 4L || trieSize == 0)
            throw new TokenizerException(where + ": precompiled charsmap trie size " + trieSize + " does not fit its " + data.length + " bytes");
        int[] units = new int[(int) (trieSize / 4)];
        for (int i = 0; i < units.length; i++) units[i] = bb.getInt();
        int blobStart = 4 + (int) trieSize;
        int blobLen = data.length - blobStart;
        String[] repl = new String[blobLen];
        int s = 0;
        for (int i = 0; i < blobLen; i++) {
            if (data[blobStart + i] == 0) {
                repl[s] = new String(data, blobStart + s, i - s, StandardCharsets.UTF_8);
                s = i + 1;
            }
        }
        CharsMap m = new CharsMap(units, repl);
        m.where = where;
        return m;
    }

    private String where;

    /**
     * Prefix search of {@code key[from, to)}: returns the length in bytes of the longest (or shortest) prefix that is a key,
     * or 0; its replacement goes to {@code out[0]}.
     */
    int search(byte[] key, int from, int to, boolean longest, String[] out) {
        int pos = 0;
        int unit = units[0];
        pos ^= offset(unit);
        int found = 0;
        for (int i = from; i < to; i++) {
            int b = key[i] & 0xFF;
            pos ^= b;
            if (pos < 0 || pos >= units.length) return found;
            unit = units[pos];
            if ((unit & ((1 << 31) | 0xFF)) != b) return found;
            pos ^= offset(unit);
            if (pos < 0 || pos >= units.length) return found;
            if (((unit >>> 8) & 1) == 1) {
                int value = units[pos] & 0x7FFFFFFF;
                if (value >= replacements.length || replacements[value] == null)
                    throw new TokenizerException(where + ": precompiled charsmap value " + value + " points outside its string blob");
                out[0] = replacements[value];
                found = i + 1 - from;
                if (!longest) return found;
            }
        }
        return found;
    }

    private static int offset(int unit) {
        return (unit >>> 10) << ((unit & (1 << 9)) >>> 6);
    }

    /** Writes the UTF-8 bytes of {@code cp} (an unpaired surrogate as U+FFFD) at {@code buf[at]}; returns the byte count. */
    static int utf8(int cp, byte[] buf, int at) {
        if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;
        if (cp < 0x80) { buf[at] = (byte) cp; return 1; }
        if (cp < 0x800) { buf[at] = (byte) (0xC0 | cp >> 6); buf[at + 1] = (byte) (0x80 | cp & 0x3F); return 2; }
        if (cp < 0x10000) {
            buf[at] = (byte) (0xE0 | cp >> 12); buf[at + 1] = (byte) (0x80 | cp >> 6 & 0x3F); buf[at + 2] = (byte) (0x80 | cp & 0x3F);
            return 3;
        }
        buf[at] = (byte) (0xF0 | cp >> 18); buf[at + 1] = (byte) (0x80 | cp >> 12 & 0x3F);
        buf[at + 2] = (byte) (0x80 | cp >> 6 & 0x3F); buf[at + 3] = (byte) (0x80 | cp & 0x3F);
        return 4;
    }
}
