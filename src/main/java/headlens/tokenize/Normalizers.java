package headlens.tokenize;

import com.fasterxml.jackson.databind.JsonNode;

import java.text.Normalizer.Form;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** The HuggingFace normalizers headlens supports (tokenizers' {@code normalizers} module), and their tokenizer.json form. */
final class Normalizers {
    private Normalizers() {}

    /** A tokenizer.json {@code normalizer} object at {@code path} of {@code src}; null for none (absent, null, or a no-op). */
    static Normalizer fromJson(JsonNode n, String src, String path) {
        if (n == null || n.isNull()) return null;
        String type = JsonFields.type(n, src, path);
        switch (type) {
            case "BertNormalizer": {
                boolean lower = n.path("lowercase").asBoolean(true);
                JsonNode sa = n.get("strip_accents");
                boolean strip = sa == null || sa.isNull() ? lower : sa.asBoolean();
                return new Bert(n.path("clean_text").asBoolean(true), n.path("handle_chinese_chars").asBoolean(true), strip, lower);
            }
            case "Lowercase": return new Lowercase();
            case "StripAccents": return new StripAccents();
            case "NFC": return new Unicode(Form.NFC);
            case "NFD": return new Unicode(Form.NFD);
            case "NFKC": return new Unicode(Form.NFKC);
            case "NFKD": return new Unicode(Form.NFKD);
            case "Strip": return new Strip(n.path("strip_left").asBoolean(true), n.path("strip_right").asBoolean(true));
            case "Prepend": return new Prepend(JsonFields.textField(n, "prepend", src, path));
            case "Replace": return new Replace(pattern(n, src, path), JsonFields.textField(n, "content", src, path));
            case "Precompiled": {
                JsonNode cm = n.get("precompiled_charsmap");
                if (cm == null || cm.isNull()) return null; // HuggingFace: an empty charsmap normalizes nothing
                byte[] data;
                try {
                    data = Base64.getDecoder().decode(cm.asText());
                } catch (IllegalArgumentException e) {
                    throw new TokenizerException(src + ": " + path + ".precompiled_charsmap is not base64: " + e.getMessage());
                }
                if (data.length == 0) return null;
                return new Precompiled(CharsMap.parse(data, src + ": " + path + ".precompiled_charsmap"));
            }
            case "Sequence": return new Sequence(JsonFields.steps(n, "normalizers", src, path, Normalizers::fromJson));
            default:
                throw new TokenizerException(src + ": " + path + ".type \"" + type + "\" is not supported (supported: "
                        + "BertNormalizer, Precompiled, NFC, NFD, NFKC, NFKD, Replace, Prepend, Strip, Sequence, Lowercase, StripAccents)");
        }
    }

    /** Replace's {@code pattern}: {"String": literal} or {"Regex": Oniguruma-style regex, read as a Java one}. */
    private static Pattern pattern(JsonNode n, String src, String path) {
        JsonNode p = n.get("pattern");
        if (p == null || !p.isObject()) throw new TokenizerException(src + ": " + path + ".pattern is missing");
        if (p.has("String")) return Pattern.compile(Pattern.quote(p.get("String").asText()));
        if (p.has("Regex")) {
            try {
                return Pattern.compile(p.get("Regex").asText(), Pattern.UNICODE_CHARACTER_CLASS);
            } catch (PatternSyntaxException e) {
                throw new TokenizerException(src + ": " + path + ".pattern.Regex is not a valid regex: " + e.getDescription());
            }
        }
        throw new TokenizerException(src + ": " + path + ".pattern must have \"String\" or \"Regex\"");
    }

    /** BertNormalizer: clean text, space around CJK ideographs, optional accent stripping, optional lowercasing. */
    record Bert(boolean cleanText, boolean chineseChars, boolean stripAccents, boolean lowercase) implements Normalizer {
        @Override
        public NormalizedString apply(NormalizedString in) {
            NormalizedString out = new NormalizedString(in.len + 8);
            for (int i = 0; i < in.len; ) {
                int cp = in.codePointAt(i);
                int n = Character.charCount(cp);
                int s = in.os[i], e = in.oe[i + n - 1];
                i += n;
                int f = Chars.flags(cp);
                if (cleanText) {
                    if (cp == 0 || cp == 0xFFFD || (f & Chars.CONTROL) != 0) continue;
                    if ((f & Chars.WHITESPACE) != 0) { cp = ' '; f = Chars.flags(' '); }
                }
                if (chineseChars && (f & Chars.CHINESE) != 0) {
                    out.append(' ', s, e);
                    appendCase(out, cp, s, e);
                    out.append(' ', s, e);
                    continue;
                }
                if (stripAccents && cp >= 0x80) {
                    String d = java.text.Normalizer.normalize(new String(Character.toChars(cp)), Form.NFD);
                    for (int k = 0; k < d.length(); ) {
                        int c = d.codePointAt(k);
                        k += Character.charCount(c);
                        if (!Chars.is(c, Chars.MN)) appendCase(out, c, s, e);
                    }
                    continue;
                }
                appendCase(out, cp, s, e);
            }
            return out;
        }

        private void appendCase(NormalizedString out, int cp, int s, int e) {
            if (lowercase) Chars.appendLower(out, cp, s, e);
            else out.appendCodePoint(cp, s, e);
        }
    }

    /** Lowercase: Rust's per-character {@code to_lowercase}. */
    record Lowercase() implements Normalizer {
        @Override
        public NormalizedString apply(NormalizedString in) {
            NormalizedString out = new NormalizedString(in.len + 2);
            for (int i = 0; i < in.len; ) {
                int cp = in.codePointAt(i);
                int n = Character.charCount(cp);
                Chars.appendLower(out, cp, in.os[i], in.oe[i + n - 1]);
                i += n;
            }
            return out;
        }
    }

    /** StripAccents: removes combining marks (General_Category M); meant to follow NFD/NFKD. */
    record StripAccents() implements Normalizer {
        @Override
        public NormalizedString apply(NormalizedString in) {
            NormalizedString out = new NormalizedString(in.len);
            for (int i = 0; i < in.len; ) {
                int cp = in.codePointAt(i);
                int n = Character.charCount(cp);
                if (!Chars.is(cp, Chars.MARK)) out.appendCodePoint(cp, in.os[i], in.oe[i + n - 1]);
                i += n;
            }
            return out;
        }
    }

    /**
     * NFC/NFD/NFKC/NFKD, applied per chunk (a character with the combining characters that follow it), so every output
     * character keeps an alignment: the i-th output character of a chunk aligns with its i-th input character, extra
     * output characters with the chunk's last one (as HuggingFace's alignment-tracking normalization does).
     */
    record Unicode(Form form) implements Normalizer {
        @Override
        public NormalizedString apply(NormalizedString in) {
            NormalizedString out = new NormalizedString(in.len + 4);
            int i = 0;
            int[] cps = new int[8];
            while (i < in.len) {
                int cp = in.codePointAt(i);
                if (cp < 0x80 && (i + 1 >= in.len || in.chars[i + 1] < 0x80)) { // ASCII followed by ASCII: unchanged
                    out.append((char) cp, in.os[i], in.oe[i]);
                    i++;
                    continue;
                }
                int start = i;
                int k = 0;
                int[] starts = new int[8];
                do {
                    int c = in.codePointAt(i);
                    if (k == cps.length) { cps = java.util.Arrays.copyOf(cps, k * 2); }
                    if (k == starts.length) { starts = java.util.Arrays.copyOf(starts, k * 2); }
                    cps[k] = c; starts[k] = i; k++;
                    i += Character.charCount(c);
                } while (i < in.len && k < 64 && combines(in.codePointAt(i)));
                String chunk = new String(in.chars, start, i - start);
                String norm = java.text.Normalizer.normalize(chunk, form);
                int j = 0;
                for (int p = 0; p < norm.length(); ) {
                    int c = norm.codePointAt(p);
                    p += Character.charCount(c);
                    int src = Math.min(j, k - 1);
                    int si = starts[src];
                    int ei = (src + 1 < k ? starts[src + 1] : i) - 1;
                    out.appendCodePoint(c, in.os[si], in.oe[ei]);
                    j++;
                }
            }
            return out;
        }

        private static boolean combines(int cp) {
            int t = Character.getType(cp);
            return t == Character.NON_SPACING_MARK || t == Character.COMBINING_SPACING_MARK || t == Character.ENCLOSING_MARK
                    || (cp >= 0x1160 && cp <= 0x11FF) || (cp >= 0xD7B0 && cp <= 0xD7FF) || (cp >= 0x3099 && cp <= 0x309A);
        }
    }

    /** Replace every match of a literal or a regex by {@code content}; the replacement aligns with the match's last character. */
    record Replace(Pattern pattern, String content) implements Normalizer {
        @Override
        public NormalizedString apply(NormalizedString in) {
            String text = in.toString();
            Matcher m = pattern.matcher(text);
            if (!m.find()) return in;
            NormalizedString out = new NormalizedString(in.len);
            int last = 0;
            do {
                if (m.end() == m.start()) continue; // empty matches replace nothing
                out.appendFrom(in, last, m.start());
                int a = m.end() - 1;
                out.append(content, in.os[a], in.oe[a]);
                last = m.end();
            } while (m.find());
            out.appendFrom(in, last, in.len);
            return out;
        }
    }

    /** Prepend a string unless the text is empty; it aligns with the first character. */
    record Prepend(String prefix) implements Normalizer {
        @Override
        public NormalizedString apply(NormalizedString in) {
            if (in.len == 0) return in;
            NormalizedString out = new NormalizedString(in.len + prefix.length());
            out.append(prefix, in.os[0], in.oe[0]);
            out.appendFrom(in, 0, in.len);
            return out;
        }
    }

    /** Strip leading/trailing (Rust) whitespace. */
    record Strip(boolean left, boolean right) implements Normalizer {
        @Override
        public NormalizedString apply(NormalizedString in) {
            int a = 0, b = in.len;
            if (left) while (a < b && Chars.rustWhitespace(in.codePointAt(a))) a += Character.charCount(in.codePointAt(a));
            if (right) while (b > a && Chars.rustWhitespace(Character.codePointBefore(in.chars, b))) b -= Character.charCount(Character.codePointBefore(in.chars, b));
            return a == 0 && b == in.len ? in : in.slice(a, b);
        }
    }

    record Sequence(List<Normalizer> steps) implements Normalizer {
        @Override
        public NormalizedString apply(NormalizedString in) {
            for (Normalizer n : steps) in = n.apply(in);
            return in;
        }
    }
}
