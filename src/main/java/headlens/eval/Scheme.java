package headlens.eval;

import headlens.core.HeadlensException;

import java.util.Locale;

/**
 * Tagging schemes for strict chunk decoding, with the transition tables of seqeval's {@code seqeval.scheme} (v1.2):
 * a token starts, continues or closes a chunk depending on the previous token's prefix and whether the types match.
 */
public enum Scheme {
    IOB1("IOB",
            new P[]{p("O", "I", T.ANY), p("I", "I", T.DIFF), p("B", "I", T.ANY), p("I", "B", T.SAME), p("B", "B", T.SAME)},
            new P[]{p("B", "I", T.SAME), p("I", "I", T.SAME)},
            new P[]{p("I", "I", T.DIFF), p("I", "O", T.ANY), p("I", "B", T.ANY), p("B", "O", T.ANY), p("B", "I", T.DIFF),
                    p("B", "B", T.SAME)}),
    IOB2("IOB",
            new P[]{p("IOBES", "B", T.ANY)},
            new P[]{p("B", "I", T.SAME), p("I", "I", T.SAME)},
            new P[]{p("I", "O", T.ANY), p("I", "I", T.DIFF), p("I", "B", T.ANY), p("B", "O", T.ANY), p("B", "I", T.DIFF),
                    p("B", "B", T.ANY)}),
    IOE1("IOE",
            new P[]{p("O", "I", T.ANY), p("I", "I", T.DIFF), p("E", "I", T.ANY), p("E", "E", T.SAME)},
            new P[]{p("I", "I", T.SAME), p("I", "E", T.SAME)},
            new P[]{p("I", "I", T.DIFF), p("I", "O", T.ANY), p("I", "E", T.DIFF), p("E", "I", T.SAME), p("E", "E", T.SAME)}),
    IOE2("IOE",
            new P[]{p("O", "I", T.ANY), p("O", "E", T.ANY), p("E", "I", T.ANY), p("E", "E", T.ANY), p("I", "I", T.DIFF),
                    p("I", "E", T.DIFF)},
            new P[]{p("I", "E", T.SAME), p("I", "I", T.SAME)},
            new P[]{p("E", "IOBES", T.ANY)}),
    IOBES("IOBES",
            new P[]{p("IOBES", "B", T.ANY), p("IOBES", "S", T.ANY)},
            new P[]{p("B", "I", T.SAME), p("B", "E", T.SAME), p("I", "I", T.SAME), p("I", "E", T.SAME)},
            new P[]{p("S", "IOBES", T.ANY), p("E", "IOBES", T.ANY)});

    enum T { SAME, DIFF, ANY }

    /** A transition: previous prefix in {@code prev}, current prefix in {@code cur}, type condition. */
    record P(String prev, String cur, T tag) {}

    private static P p(String prev, String cur, T tag) { return new P(prev, cur, tag); }

    final String allowed;
    private final P[] start;
    private final P[] inside;
    private final P[] end;

    Scheme(String allowed, P[] start, P[] inside, P[] end) {
        this.allowed = allowed;
        this.start = start;
        this.inside = inside;
        this.end = end;
    }

    /** Parses {@code iob1}, {@code iob2}, {@code ioe1}, {@code ioe2}, {@code iobes} / {@code bioes}. */
    public static Scheme parse(String name) {
        String n = name.trim().toUpperCase(Locale.ROOT);
        if (n.equals("BIOES")) return IOBES;
        try {
            return valueOf(n);
        } catch (IllegalArgumentException e) {
            throw new HeadlensException("unknown tagging scheme '" + name + "' (expected iob1, iob2, ioe1, ioe2, iobes)");
        }
    }

    boolean isStart(Tag prev, Tag cur) { return matches(start, prev, cur); }

    boolean isInside(Tag prev, Tag cur) { return matches(inside, prev, cur); }

    boolean isEnd(Tag prev, Tag cur) { return matches(end, prev, cur); }

    private static boolean matches(P[] patterns, Tag prev, Tag cur) {
        for (P p : patterns) {
            if (p.prev.indexOf(prev.prefix()) < 0 || p.cur.indexOf(cur.prefix()) < 0) continue;
            boolean same = prev.type().equals(cur.type());
            if (p.tag == T.ANY || (p.tag == T.SAME) == same) return true;
        }
        return false;
    }

    /** A label split as seqeval's strict mode does: first character = prefix, the rest stripped of '-' = type. */
    record Tag(char prefix, String type) {
        static final Tag OUTSIDE = new Tag('O', "_");

        static Tag of(String label) {
            if (label.isEmpty()) throw new HeadlensException("empty label");
            String t = label.substring(1).replaceAll("^-+|-+$", "");
            return new Tag(label.charAt(0), t.isEmpty() ? "_" : t);
        }
    }
}
