package headlens.tokenize;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/** The HuggingFace pre-tokenizers headlens supports (tokenizers' {@code pre_tokenizers} module), and their tokenizer.json form. */
final class PreTokenizers {
    private PreTokenizers() {}

    /** A tokenizer.json {@code pre_tokenizer} object at {@code path} of {@code src}; null for none. */
    static PreTokenizer fromJson(JsonNode n, String src, String path) {
        if (n == null || n.isNull()) return null;
        String type = JsonFields.type(n, src, path);
        switch (type) {
            case "BertPreTokenizer": return new Bert();
            case "WhitespaceSplit": return new WhitespaceSplit();
            case "Metaspace": {
                String rep = JsonFields.textOr(n, "replacement", "\u2581");
                if (rep.length() != 1) throw new TokenizerException(src + ": " + path + ".replacement must be one character, got \"" + rep + "\"");
                String scheme;
                if (n.has("prepend_scheme")) {
                    scheme = n.get("prepend_scheme").asText();
                    if (!List.of("always", "first", "never").contains(scheme))
                        throw new TokenizerException(src + ": " + path + ".prepend_scheme \"" + scheme + "\" is not always, first or never");
                } else {
                    scheme = n.path("add_prefix_space").asBoolean(true) ? "always" : "never";   // before tokenizers 0.14
                }
                return new Metaspace(rep.charAt(0), scheme, n.path("split").asBoolean(true));
            }
            case "Sequence": return new Sequence(JsonFields.steps(n, "pretokenizers", src, path, PreTokenizers::fromJson));
            default:
                throw new TokenizerException(src + ": " + path + ".type \"" + type
                        + "\" is not supported (supported: BertPreTokenizer, Metaspace, WhitespaceSplit, Sequence)");
        }
    }

    /** BertPreTokenizer: split on whitespace (dropped) and isolate every punctuation character. */
    record Bert() implements PreTokenizer {
        @Override
        public void split(NormalizedString ns, int from, int to, List<Span> out) {
            int start = -1;
            for (int i = from; i < to; ) {
                int cp = ns.codePointAt(i);
                int n = Character.charCount(cp);
                int f = Chars.flags(cp);
                if ((f & Chars.WHITESPACE) != 0) {
                    if (start >= 0) { out.add(new Span(ns, start, i)); start = -1; }
                } else if ((f & Chars.PUNCT) != 0) {
                    if (start >= 0) { out.add(new Span(ns, start, i)); start = -1; }
                    out.add(new Span(ns, i, i + n));
                } else if (start < 0) {
                    start = i;
                }
                i += n;
            }
            if (start >= 0) out.add(new Span(ns, start, to));
        }
    }

    /** WhitespaceSplit: split on whitespace, dropped. */
    record WhitespaceSplit() implements PreTokenizer {
        @Override
        public void split(NormalizedString ns, int from, int to, List<Span> out) {
            int start = -1;
            for (int i = from; i < to; ) {
                int cp = ns.codePointAt(i);
                int n = Character.charCount(cp);
                if (Chars.rustWhitespace(cp)) {
                    if (start >= 0) { out.add(new Span(ns, start, i)); start = -1; }
                } else if (start < 0) {
                    start = i;
                }
                i += n;
            }
            if (start >= 0) out.add(new Span(ns, start, to));
        }
    }

    /** Metaspace: spaces become the replacement character, which is prepended per the scheme and starts each word. */
    record Metaspace(char replacement, String prependScheme, boolean split) implements PreTokenizer {
        @Override
        public void split(NormalizedString ns, int from, int to, List<Span> out) {
            if (from == to) return;
            NormalizedString m = new NormalizedString(to - from + 1);
            boolean prepend = switch (prependScheme) {
                case "always" -> true;
                case "first" -> ns.os[from] == 0;
                default -> false;
            };
            char first = ns.chars[from] == ' ' ? replacement : ns.chars[from];
            if (prepend && first != replacement) m.append(replacement, ns.os[from], ns.oe[from]);
            for (int i = from; i < to; i++) m.append(ns.chars[i] == ' ' ? replacement : ns.chars[i], ns.os[i], ns.oe[i]);
            if (!split) { out.add(new Span(m, 0, m.len)); return; }
            int start = 0;
            for (int i = 1; i < m.len; i++) {
                if (m.chars[i] == replacement) { out.add(new Span(m, start, i)); start = i; }
            }
            out.add(new Span(m, start, m.len));
        }
    }

    record Sequence(List<PreTokenizer> steps) implements PreTokenizer {
        @Override
        public void split(NormalizedString ns, int from, int to, List<Span> out) {
            List<Span> cur = new ArrayList<>();
            cur.add(new Span(ns, from, to));
            for (PreTokenizer p : steps) {
                List<Span> next = new ArrayList<>();
                for (Span s : cur) p.split(s.ns(), s.start(), s.end(), next);
                cur = next;
            }
            out.addAll(cur);
        }
    }
}
