package headlens.tokenize;

import java.util.List;

/** Splits normalized text into words (HuggingFace {@code pre_tokenizer}); a word is a span of a normalized string. */
interface PreTokenizer {
    /** A word: the units [start, end) of {@code ns}. */
    record Span(NormalizedString ns, int start, int end) {}

    /** Appends the words of {@code ns[from, to)} to {@code out}. */
    void split(NormalizedString ns, int from, int to, List<Span> out);
}
