package headlens.tokenize;

/** Extended grapheme cluster boundaries (UAX #29, the rules that matter for normalization; no Prepend, no Indic conjuncts). */
final class Graphemes {
    private Graphemes() {}

    private static final int OTHER = 0, CR = 1, LF = 2, CONTROL = 3, EXTEND = 4, ZWJ = 5, SPACING = 6, L = 7, V = 8, T = 9,
            LV = 10, LVT = 11, RI = 12, PICT = 13;

    static int kind(int c) {
        if (c == '\r') return CR;
        if (c == '\n') return LF;
        if (c == 0x200D) return ZWJ;
        if (c == 0x200C || (c >= 0xFF9E && c <= 0xFF9F) || (c >= 0x1F3FB && c <= 0x1F3FF) || (c >= 0xE0020 && c <= 0xE007F))
            return EXTEND;
        if (c >= 0x1100 && c <= 0x115F || c >= 0xA960 && c <= 0xA97C) return L;
        if (c >= 0x1160 && c <= 0x11A7 || c >= 0xD7B0 && c <= 0xD7C6) return V;
        if (c >= 0x11A8 && c <= 0x11FF || c >= 0xD7CB && c <= 0xD7FB) return T;
        if (c >= 0xAC00 && c <= 0xD7A3) return (c - 0xAC00) % 28 == 0 ? LV : LVT;
        if (c >= 0x1F1E6 && c <= 0x1F1FF) return RI;
        int t = Character.getType(c);
        switch (t) {
            case Character.NON_SPACING_MARK: case Character.ENCLOSING_MARK: return EXTEND;
            case Character.COMBINING_SPACING_MARK: return SPACING;
            case Character.CONTROL: case Character.LINE_SEPARATOR: case Character.PARAGRAPH_SEPARATOR: case Character.FORMAT:
            case Character.SURROGATE:
                return CONTROL;
            default:
        }
        if ((c >= 0x1F000 && c <= 0x1FAFF) || (c >= 0x2600 && c <= 0x27BF) || c == 0x00A9 || c == 0x00AE || c == 0x203C
                || c == 0x2049 || (c >= 0x2190 && c <= 0x21FF) || (c >= 0x2300 && c <= 0x23FF) || (c >= 0x2B00 && c <= 0x2BFF))
            return PICT;
        return OTHER;
    }

    /** Whether there is a boundary between a character of kind {@code prev} and one of kind {@code next}. */
    static boolean breakBetween(int prev, int next, boolean pictBeforeZwj, int riRun) {
        if (prev == CR && next == LF) return false;
        if (prev == CR || prev == LF || prev == CONTROL || next == CR || next == LF || next == CONTROL) return true;
        if (prev == L && (next == L || next == V || next == LV || next == LVT)) return false;
        if ((prev == LV || prev == V) && (next == V || next == T)) return false;
        if ((prev == LVT || prev == T) && next == T) return false;
        if (next == EXTEND || next == ZWJ || next == SPACING) return false;
        if (prev == ZWJ && next == PICT && pictBeforeZwj) return false;
        if (prev == RI && next == RI) return riRun % 2 == 0;
        return true;
    }

    /** End (exclusive, UTF-16 index) of the grapheme starting at {@code i} in {@code s[0, len)}. */
    static int next(char[] s, int i, int len) {
        int cp = Character.codePointAt(s, i, len);
        int prev = kind(cp);
        boolean pict = prev == PICT;
        int ri = prev == RI ? 1 : 0;
        i += Character.charCount(cp);
        while (i < len) {
            int c = Character.codePointAt(s, i, len);
            if (c < 0x300 && cp < 0x300 && c != '\n') return i; // fast path: Latin-1 / Latin Extended never join
            int k = kind(c);
            if (breakBetween(prev, k, pict, ri)) return i;
            if (k == PICT) pict = true;
            else if (k != EXTEND && k != ZWJ) pict = false;
            ri = k == RI ? ri + 1 : 0;
            prev = k;
            cp = c;
            i += Character.charCount(c);
        }
        return i;
    }
}
