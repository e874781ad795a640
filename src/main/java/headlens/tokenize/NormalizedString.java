package headlens.tokenize;

/**
 * A normalized text that remembers, for each of its UTF-16 units, the [start, end) range of the original string it came from
 * (the alignment model of HuggingFace's {@code NormalizedString}: inserted characters share the alignment of the character they
 * derive from, a character that absorbs removed ones keeps its own alignment).
 */
public final class NormalizedString {
    char[] chars;
    int[] os;
    int[] oe;
    int len;

    NormalizedString(int capacity) {
        chars = new char[Math.max(capacity, 4)];
        os = new int[chars.length];
        oe = new int[chars.length];
    }

    /** The slice [from, to) of {@code original}, aligned to itself (a surrogate pair aligns both units to the pair). */
    public static NormalizedString of(String original, int from, int to) {
        NormalizedString n = new NormalizedString(to - from);
        original.getChars(from, to, n.chars, 0);
        for (int i = from; i < to; i++) {
            int k = i - from;
            char c = n.chars[k];
            if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(original.charAt(i + 1))) {
                n.os[k] = i; n.oe[k] = i + 2; n.os[k + 1] = i; n.oe[k + 1] = i + 2;
                n.chars[k + 1] = original.charAt(i + 1);
                i++;
            } else {
                n.os[k] = i; n.oe[k] = i + 1;
            }
        }
        n.len = to - from;
        return n;
    }

    public int length() { return len; }

    public char charAt(int i) { return chars[i]; }

    public int codePointAt(int i) { return Character.codePointAt(chars, i, len); }

    /** Original start offset of the normalized unit {@code i}. */
    public int originalStart(int i) { return os[i]; }

    /** Original end offset of the normalized unit {@code i}. */
    public int originalEnd(int i) { return oe[i]; }

    public String substring(int from, int to) { return new String(chars, from, to - from); }

    @Override public String toString() { return new String(chars, 0, len); }

    void append(char c, int s, int e) {
        if (len == chars.length) grow(len + 1);
        chars[len] = c; os[len] = s; oe[len] = e; len++;
    }

    void appendCodePoint(int cp, int s, int e) {
        if (cp < 0x10000) {
            append((char) cp, s, e);
        } else {
            append(Character.highSurrogate(cp), s, e);
            append(Character.lowSurrogate(cp), s, e);
        }
    }

    void append(CharSequence str, int s, int e) {
        for (int i = 0; i < str.length(); i++) append(str.charAt(i), s, e);
    }

    /** Appends the units [from, to) of {@code src} with their alignments. */
    void appendFrom(NormalizedString src, int from, int to) {
        int n = to - from;
        if (len + n > chars.length) grow(len + n);
        System.arraycopy(src.chars, from, chars, len, n);
        System.arraycopy(src.os, from, os, len, n);
        System.arraycopy(src.oe, from, oe, len, n);
        len += n;
    }

    private void grow(int min) {
        int cap = Math.max(min, chars.length * 2);
        chars = java.util.Arrays.copyOf(chars, cap);
        os = java.util.Arrays.copyOf(os, cap);
        oe = java.util.Arrays.copyOf(oe, cap);
    }

    /** A new string of the units [from, to) of this one. */
    NormalizedString slice(int from, int to) {
        NormalizedString n = new NormalizedString(to - from);
        n.appendFrom(this, from, to);
        return n;
    }
}
