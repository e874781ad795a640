package headlens.train;

import java.util.ArrayList;
import java.util.List;

/**
 * Words of raw text with character offsets (UTF-16 indices into the line, end exclusive), for tagging untokenized
 * input: whitespace separates words and every punctuation or symbol character is a word of its own, as BERT's basic
 * tokenizer splits (so "Paris," gives "Paris" and ",").
 */
public final class WordSplitter {
    public record Word(String text, int start, int end) {}

    private WordSplitter() {}

    public static List<Word> split(String line) {
        List<Word> out = new ArrayList<>();
        int i = 0, n = line.length(), start = -1;
        while (i < n) {
            int cp = line.codePointAt(i), len = Character.charCount(cp);
            if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
                if (start >= 0) { out.add(new Word(line.substring(start, i), start, i)); start = -1; }
            } else if (isPunctuation(cp)) {
                if (start >= 0) { out.add(new Word(line.substring(start, i), start, i)); start = -1; }
                out.add(new Word(line.substring(i, i + len), i, i + len));
            } else if (start < 0) {
                start = i;
            }
            i += len;
        }
        if (start >= 0) out.add(new Word(line.substring(start), start, n));
        return out;
    }

    /** Pre-tokenized input: words are the whitespace-separated fields. */
    public static List<Word> whitespace(String line) {
        List<Word> out = new ArrayList<>();
        int i = 0, n = line.length();
        while (i < n) {
            while (i < n && Character.isWhitespace(line.charAt(i))) i++;
            int s = i;
            while (i < n && !Character.isWhitespace(line.charAt(i))) i++;
            if (i > s) out.add(new Word(line.substring(s, i), s, i));
        }
        return out;
    }

    /** Words joined by single spaces, with their offsets in that string. */
    public static List<Word> joined(List<String> words) {
        List<Word> out = new ArrayList<>();
        int pos = 0;
        for (String w : words) { out.add(new Word(w, pos, pos + w.length())); pos += w.length() + 1; }
        return out;
    }

    /** BERT's {@code _is_punctuation}: ASCII non-alphanumeric printable characters and Unicode P* categories. */
    static boolean isPunctuation(int cp) {
        if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) return true;
        int t = Character.getType(cp);
        return t == Character.CONNECTOR_PUNCTUATION || t == Character.DASH_PUNCTUATION || t == Character.START_PUNCTUATION
                || t == Character.END_PUNCTUATION || t == Character.INITIAL_QUOTE_PUNCTUATION || t == Character.FINAL_QUOTE_PUNCTUATION
                || t == Character.OTHER_PUNCTUATION;
    }
}
