package headlens.tokenize;

/**
 * HuggingFace's {@code Precompiled} normalizer: per grapheme cluster, a cluster shorter than 6 UTF-8 bytes that starts with
 * a key of the charsmap is replaced whole by the shortest such key's replacement; otherwise each character is looked up alone.
 * The i-th replacement character aligns with the i-th replaced one, extra ones with the last.
 */
record Precompiled(CharsMap map) implements Normalizer {
    @Override
    public NormalizedString apply(NormalizedString in) {
        NormalizedString out = new NormalizedString(in.len + 4);
        byte[] buf = new byte[32];
        String[] repl = new String[1];
        int i = 0;
        while (i < in.len) {
            int end = Graphemes.next(in.chars, i, in.len);
            int nb = 0;
            boolean small = true;
            for (int p = i; p < end; ) {
                int cp = in.codePointAt(p);
                if (nb + 4 > buf.length) { small = false; break; }
                nb += CharsMap.utf8(cp, buf, nb);
                p += Character.charCount(cp);
            }
            if (small && nb < 6 && map.search(buf, 0, nb, false, repl) > 0) {
                replace(in, i, end, repl[0], out);
            } else {
                for (int p = i; p < end; ) {
                    int cp = in.codePointAt(p);
                    int n = Character.charCount(cp);
                    int b = CharsMap.utf8(cp, buf, 0);
                    if (map.search(buf, 0, b, false, repl) > 0) replace(in, p, p + n, repl[0], out);
                    else out.appendFrom(in, p, p + n);
                    p += n;
                }
            }
            i = end;
        }
        return out;
    }

    /** Replaces the units [from, to) of {@code in} by {@code r}: character k aligns with replaced character min(k, last). */
    static void replace(NormalizedString in, int from, int to, String r, NormalizedString out) {
        int src = from;
        for (int k = 0; k < r.length(); ) {
            int c = r.codePointAt(k);
            k += Character.charCount(c);
            int n = Character.charCount(in.codePointAt(src));
            out.appendCodePoint(c, in.os[src], in.oe[src + n - 1]);
            if (src + n < to) src += n;
        }
    }
}
