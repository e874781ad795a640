package headlens.tokenize;

/** Character classes exactly as HuggingFace tokenizers (Rust) define them, with a table for the BMP. */
final class Chars {
    private Chars() {}

    static final int WHITESPACE = 1, CONTROL = 2, PUNCT = 4, CHINESE = 8, MN = 16, MARK = 32;
    private static final byte[] BMP = new byte[0x10000];

    static {
        for (int c = 0; c < 0x10000; c++) BMP[c] = (byte) compute(c);
    }

    private static int compute(int c) {
        int f = 0;
        if (rustWhitespace(c)) f |= WHITESPACE;
        if (c != '\t' && c != '\n' && c != '\r' && isOther(c)) f |= CONTROL;
        if (isBertPunct(c)) f |= PUNCT;
        if (isChinese(c)) f |= CHINESE;
        int t = Character.getType(c);
        if (t == Character.NON_SPACING_MARK) f |= MN;
        if (t == Character.NON_SPACING_MARK || t == Character.COMBINING_SPACING_MARK || t == Character.ENCLOSING_MARK) f |= MARK;
        return f;
    }

    static int flags(int cp) { return cp < 0x10000 ? BMP[cp] : compute(cp); }

    static boolean is(int cp, int flag) { return (flags(cp) & flag) != 0; }

    /** Rust {@code char::is_whitespace} (Unicode White_Space). */
    static boolean rustWhitespace(int c) {
        return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A)
                || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
    }

    /**
     * Unicode "Other" as HuggingFace's BertNormalizer sees it: Cc, Cf, Cs, Co. Unassigned code points (Cn) are kept, as the
     * Rust implementation keeps them (checked against it on U+10FFFF and on characters assigned after Unicode 13).
     */
    static boolean isOther(int c) {
        int t = Character.getType(c);
        return t == Character.CONTROL || t == Character.FORMAT || t == Character.SURROGATE || t == Character.PRIVATE_USE;
    }

    /** BERT punctuation: ASCII punctuation or a Unicode P* character. */
    static boolean isBertPunct(int c) {
        if (c < 0x80) return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
        int t = Character.getType(c);
        return t == Character.CONNECTOR_PUNCTUATION || t == Character.DASH_PUNCTUATION || t == Character.START_PUNCTUATION
                || t == Character.END_PUNCTUATION || t == Character.INITIAL_QUOTE_PUNCTUATION
                || t == Character.FINAL_QUOTE_PUNCTUATION || t == Character.OTHER_PUNCTUATION;
    }

    /** CJK ideograph blocks as BERT defines them. */
    static boolean isChinese(int c) {
        return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF)
                || (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF)
                || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
    }

    /** Rust {@code char::to_lowercase}: per character, without the context-dependent final-sigma rule. */
    static void appendLower(NormalizedString out, int cp, int s, int e) {
        if (cp < 0x80) {
            out.append((char) (cp >= 'A' && cp <= 'Z' ? cp + 32 : cp), s, e);
        } else if (cp == 0x130) {
            out.append('i', s, e);
            out.append('\u0307', s, e);
        } else {
            out.appendCodePoint(Character.toLowerCase(cp), s, e);
        }
    }
}
