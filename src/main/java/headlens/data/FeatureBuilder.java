package headlens.data;

import headlens.core.HeadlensException;
import headlens.tokenize.Encoding;
import headlens.tokenize.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns sentences into model inputs: sub-word tokens with the word's label on its first sub-token only
 * ({@link #IGNORE} on the rest, as HuggingFace's token-classification recipe), split into overlapping windows when a
 * sentence is longer than {@code maxLength}.
 *
 * <p>Windows are cut at word boundaries. Every word is <em>owned</em> (labelled and predicted) by exactly one window: the
 * sentence's words are partitioned into consecutive owned ranges, and each window adds up to {@code stride} tokens of
 * context on either side that it does not own. A word's sub-tokens come from one {@code encodeWords} call on the whole
 * sentence; the special tokens around them are those the tokenizer adds to any input. Two corner cases, so that no word is
 * dropped: a word the tokenizer maps to no token gets the unknown token, and a single word longer than the whole window
 * keeps only its first {@code maxLength - specials} sub-tokens (counted in {@link #truncatedWords()}).
 */
public final class FeatureBuilder {
    /** Label id ignored by the loss (PyTorch's {@code ignore_index}). */
    public static final int IGNORE = -100;

    private final Tokenizer tokenizer;
    private final LabelMap labels;
    private final int maxLength;
    private final int stride;
    private final int[] prefix;
    private final int[] suffix;
    private int truncatedWords;
    private int unknownLabels;

    /**
     * @param labels    label map for {@code labelIds}; null for inference-only inputs (all labels IGNORE)
     * @param maxLength maximum tokens per window, special tokens included
     * @param stride    context tokens a window keeps on each side of the words it owns (HuggingFace's "stride")
     */
    public FeatureBuilder(Tokenizer tokenizer, LabelMap labels, int maxLength, int stride) {
        this.tokenizer = tokenizer;
        this.labels = labels;
        this.maxLength = maxLength;
        this.stride = stride;
        Encoding probe = tokenizer.encodeWords(List.of("a"));
        int first = -1, last = -1;
        for (int t = 0; t < probe.length(); t++) {
            if (probe.wordIds()[t] >= 0) { if (first < 0) first = t; last = t; }
        }
        if (first < 0) throw new IllegalStateException("tokenizer maps the word 'a' to no token");
        prefix = Arrays.copyOfRange(probe.ids(), 0, first);
        suffix = Arrays.copyOfRange(probe.ids(), last + 1, probe.length());
        int budget = maxLength - prefix.length - suffix.length;
        if (budget < 1) throw new HeadlensException("--max-length " + maxLength + " leaves no room for words after "
                + (prefix.length + suffix.length) + " special tokens");
        if (stride < 0 || 2 * stride >= budget)
            throw new HeadlensException("--stride " + stride + " must be >= 0 and less than half of the " + budget
                    + " word tokens a window holds");
    }

    public int maxLength() { return maxLength; }

    public int stride() { return stride; }

    /** Words that did not fit one window on their own and lost trailing sub-tokens. */
    public int truncatedWords() { return truncatedWords; }

    /** Labels absent from the label map, given IGNORE (e.g. a dev-only slot type); evaluation still sees the gold string. */
    public int unknownLabels() { return unknownLabels; }

    /** Examples for all sentences; {@link Example#sentence()} is the index in {@code sentences}. */
    public List<Example> build(List<Sentence> sentences) {
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < sentences.size(); i++) out.addAll(build(i, sentences.get(i)));
        return out;
    }

    public List<Example> build(int sentenceIndex, Sentence sentence) {
        int n = sentence.size();
        if (n == 0) return List.of();
        int[][] pieces = pieces(sentence);
        int budget = maxLength - prefix.length - suffix.length;
        int[] cost = new int[n];
        for (int w = 0; w < n; w++) {
            cost[w] = Math.min(pieces[w].length, budget);
            if (pieces[w].length > budget) truncatedWords++;
        }
        List<Example> out = new ArrayList<>();
        int own = 0, start = 0;
        while (own < n) {
            int end = fill(cost, start, budget);
            if (end <= own) { start = own; end = fill(cost, start, budget); }
            int ownEnd = end;
            if (end < n) {
                int rightContext = 0;
                while (ownEnd - 1 > own && rightContext < stride) rightContext += cost[--ownEnd];
            }
            out.add(example(sentenceIndex, out.size(), sentence, pieces, cost, start, end, own, ownEnd));
            own = ownEnd;
            start = own;
            int leftContext = 0;
            while (start > 0 && leftContext + cost[start - 1] <= stride) leftContext += cost[--start];
        }
        return out;
    }

    /** First word index past the words from {@code start} that fit {@code budget} tokens (at least one word). */
    private static int fill(int[] cost, int start, int budget) {
        int end = start, used = 0;
        while (end < cost.length && used + cost[end] <= budget) used += cost[end++];
        return Math.max(end, start + 1);
    }

    private int[][] pieces(Sentence sentence) {
        int n = sentence.size();
        Encoding enc = tokenizer.encodeWords(sentence.words());
        int[] counts = new int[n];
        for (int w : enc.wordIds()) if (w >= 0) counts[w]++;
        int[][] pieces = new int[n][];
        for (int w = 0; w < n; w++) pieces[w] = new int[counts[w]];
        int[] filled = new int[n];
        for (int t = 0; t < enc.length(); t++) {
            int w = enc.wordIds()[t];
            if (w >= 0) pieces[w][filled[w]++] = enc.ids()[t];
        }
        for (int w = 0; w < n; w++) if (pieces[w].length == 0) pieces[w] = new int[]{tokenizer.unkId()};
        return pieces;
    }

    private Example example(int sentenceIndex, int window, Sentence sentence, int[][] pieces, int[] cost,
                            int start, int end, int own, int ownEnd) {
        int length = prefix.length + suffix.length;
        for (int w = start; w < end; w++) length += cost[w];
        int[] ids = new int[length];
        int[] labelIds = new int[length];
        int[] wordOf = new int[length];
        Arrays.fill(labelIds, IGNORE);
        Arrays.fill(wordOf, -1);
        System.arraycopy(prefix, 0, ids, 0, prefix.length);
        int t = prefix.length;
        for (int w = start; w < end; w++) {
            if (w >= own && w < ownEnd) {
                wordOf[t] = w;
                labelIds[t] = labelId(sentence, w);
            }
            System.arraycopy(pieces[w], 0, ids, t, cost[w]);
            t += cost[w];
        }
        System.arraycopy(suffix, 0, ids, t, suffix.length);
        return new Example(sentenceIndex, window, ids, labelIds, wordOf, start, end, own, ownEnd);
    }

    private int labelId(Sentence sentence, int w) {
        if (labels == null || sentence.labels().isEmpty()) return IGNORE;
        int id = labels.idOr(sentence.labels().get(w), IGNORE);
        if (id == IGNORE) unknownLabels++;
        return id;
    }
}
