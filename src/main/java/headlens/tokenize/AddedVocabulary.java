package headlens.tokenize;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Added tokens ({@code [CLS]}, {@code <mask>}, ...) found in the raw input before normalization, leftmost-longest, with
 * HuggingFace's lstrip/rstrip (absorb neighbouring whitespace) and single_word (not inside a word) options.
 */
final class AddedVocabulary {
    record Token(String content, int id, boolean special, boolean lstrip, boolean rstrip, boolean singleWord) {}

    /** A piece of the input: an added token (id ≥ 0) or plain text (id = -1) over [start, end). */
    record Segment(int start, int end, int id, String content) {}

    private final Map<Character, List<Token>> byFirst = new HashMap<>();
    private final List<Token> tokens = new ArrayList<>();
    private int maxId = -1;

    /** A tokenizer.json {@code added_tokens} array of {@code src} (absent or null: none). */
    static AddedVocabulary fromJson(JsonNode at, String src) {
        AddedVocabulary added = new AddedVocabulary();
        if (at == null || at.isMissingNode() || at.isNull()) return added;
        if (!at.isArray()) throw new TokenizerException(src + ": added_tokens is not an array");
        for (int i = 0; i < at.size(); i++) {
            JsonNode t = at.get(i);
            String f = "added_tokens[" + i + "]";
            int id = JsonFields.intField(t, "id", src, f);
            String content = JsonFields.textField(t, "content", src, f);
            added.add(new Token(content, id, t.path("special").asBoolean(false), t.path("lstrip").asBoolean(false),
                    t.path("rstrip").asBoolean(false), t.path("single_word").asBoolean(false)));
        }
        return added;
    }

    void add(Token t) {
        maxId = Math.max(maxId, t.id());
        if (t.content().isEmpty()) return;
        tokens.add(t);
        List<Token> l = byFirst.computeIfAbsent(t.content().charAt(0), k -> new ArrayList<>());
        l.add(t);
        l.sort((a, b) -> b.content().length() - a.content().length());
    }

    List<Token> tokens() { return tokens; }

    /** The largest id given, -1 for none (an added token beyond the model's vocabulary widens the id range). */
    int maxId() { return maxId; }

    boolean isEmpty() { return tokens.isEmpty(); }

    List<Segment> split(String text) {
        List<Segment> out = new ArrayList<>(2);
        int last = 0;
        if (!tokens.isEmpty()) {
            for (int i = 0; i < text.length(); i++) {
                List<Token> cands = byFirst.get(text.charAt(i));
                if (cands == null) continue;
                for (Token t : cands) {
                    String c = t.content();
                    if (!text.startsWith(c, i)) continue;
                    int s = i, e = i + c.length();
                    if (t.singleWord() && (isWord(text, s - 1) || isWord(text, e))) continue;
                    if (t.lstrip()) while (s > last && Chars.rustWhitespace(text.charAt(s - 1))) s--;
                    if (t.rstrip()) while (e < text.length() && Chars.rustWhitespace(text.charAt(e))) e++;
                    if (s > last) out.add(new Segment(last, s, -1, null));
                    out.add(new Segment(s, e, t.id(), c));
                    last = e;
                    i = e - 1;
                    break;
                }
            }
        }
        if (last < text.length() || out.isEmpty()) out.add(new Segment(last, text.length(), -1, null));
        return out;
    }

    private static boolean isWord(String text, int i) {
        if (i < 0 || i >= text.length()) return false;
        char c = text.charAt(i);
        return Character.isLetterOrDigit(c) || c == '_' || Chars.is(c, Chars.MARK);
    }
}
