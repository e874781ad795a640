package headlens.tokenize;

import java.util.List;

/**
 * SentencePiece's own normalizer ({@code normalizer.cc}): longest-prefix replacement with the precompiled charsmap
 * (user-defined symbols pass through untouched), then whitespace handling: leading/trailing/repeated spaces removed,
 * a dummy "▁" prefix added, spaces escaped as "▁". Alignments follow the replaced characters.
 */
final class SpmNormalizer implements Normalizer {
    static final char SPACE = '\u2581';
    private final CharsMap map; // null: identity
    private final boolean addDummyPrefix, removeExtraWhitespaces, escapeWhitespaces;
    private final List<String> userDefined; // longest first

    SpmNormalizer(CharsMap map, boolean addDummyPrefix, boolean removeExtraWhitespaces, boolean escapeWhitespaces,
                  List<String> userDefined) {
        this.map = map;
        this.addDummyPrefix = addDummyPrefix;
        this.removeExtraWhitespaces = removeExtraWhitespaces;
        this.escapeWhitespaces = escapeWhitespaces;
        this.userDefined = userDefined.stream().sorted((a, b) -> b.length() - a.length()).toList();
    }

    @Override
    public NormalizedString apply(NormalizedString in) {
        // UTF-8 of the input with, per byte, the UTF-16 index of its character
        byte[] bytes = new byte[in.len * 3 + 4];
        int[] unitOf = new int[bytes.length];
        int nb = 0;
        for (int i = 0; i < in.len; ) {
            int cp = in.codePointAt(i);
            int b = CharsMap.utf8(cp, bytes, nb);
            for (int k = 0; k < b; k++) unitOf[nb + k] = i;
            nb += b;
            i += Character.charCount(cp);
        }
        unitOf[nb] = in.len;
        // pass 1: charsmap, producing (piece, source units) steps; pass 2 applies the whitespace rules piece by piece
        NormalizedString out = new NormalizedString(in.len + 2);
        String[] repl = new String[1];
        int p = 0;
        boolean started = false;          // a non-space piece was seen (leading spaces dropped before)
        boolean prevSpace = removeExtraWhitespaces;
        while (p < nb) {
            int from = unitOf[p];
            String piece;
            int consumed = 0;
            String ud = userDefinedAt(in, from);
            if (ud != null) {
                piece = ud;
                int toUnit = from + ud.length();
                int q = p;
                while (q < nb && unitOf[q] < toUnit) q++;
                consumed = q - p;
            } else {
                int m = map == null ? 0 : map.search(bytes, p, nb, true, repl);
                if (m > 0) {
                    piece = repl[0];
                    consumed = m;
                } else {
                    piece = null; // the character itself
                    int cp = in.codePointAt(from);
                    consumed = utf8Len(cp);
                }
            }
            int to = p + consumed < nb ? unitOf[p + consumed] : in.len;
            if (piece == null) piece = new String(in.chars, from, to - from);
            p += consumed;
            if (removeExtraWhitespaces && !started) {
                if (piece.equals(" ")) continue;
                if (piece.isEmpty()) continue;
            }
            if (!started) {
                started = true;
                if (addDummyPrefix) out.append(escapeWhitespaces ? SPACE : ' ', in.os[from], in.oe[from]);
            }
            int k = 0;
            if (prevSpace) while (k < piece.length() && piece.charAt(k) == ' ') k++;
            if (k < piece.length()) {
                appendAligned(in, from, to, piece, k, out);
                prevSpace = piece.charAt(piece.length() - 1) == ' ';
            }
        }
        if (removeExtraWhitespaces) {
            char sp = escapeWhitespaces ? SPACE : ' ';
            while (out.len > 0 && out.chars[out.len - 1] == sp) out.len--;
        }
        return out;
    }

    private void appendAligned(NormalizedString in, int from, int to, String r, int skip, NormalizedString out) {
        int src = from;
        int k = 0;
        while (k < r.length()) {
            int c = r.codePointAt(k);
            int n = Character.charCount(in.codePointAt(src));
            if (k >= skip) {
                if (c == ' ' && escapeWhitespaces) c = SPACE;
                out.appendCodePoint(c, in.os[src], in.oe[src + n - 1]);
            }
            k += Character.charCount(r.codePointAt(k));
            if (src + n < to) src += n;
        }
    }

    private String userDefinedAt(NormalizedString in, int at) {
        for (String u : userDefined) {
            if (u.length() <= in.len - at && u.contentEquals(java.nio.CharBuffer.wrap(in.chars, at, u.length()))) return u;
        }
        return null;
    }

    private static int utf8Len(int cp) {
        if (cp >= 0xD800 && cp <= 0xDFFF) return 3;
        return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    }
}
