package headlens.eval;

import headlens.core.HeadlensException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Per-sentence sufficient statistics of a corpus-level metric, so that the metric of any multiset of the evaluation
 * sentences (a bootstrap resample) is a function of summed columns: token accuracy keeps (correct, total) per sentence,
 * a chunk F1 keeps (tp, fp, fn). Chunks come from {@link ChunkDecoder}, so the summed columns equal the counts of
 * {@link SeqevalMetrics} over the whole set (a chunk never crosses a sentence: seqeval puts an O after each one).
 *
 * @param kind    which metric the columns are for
 * @param columns {@code kind.columns()} arrays, one value per sentence each
 */
public record SentenceStats(Kind kind, int[][] columns) {

    public enum Kind {
        ACCURACY("correct", "total"), F1("tp", "fp", "fn");

        private final List<String> columns;

        Kind(String... columns) { this.columns = List.of(columns); }

        /** Column names, in the order of {@link SentenceStats#columns()} (also the JSON keys of the result files). */
        public List<String> columns() { return columns; }

        /** The metric of summed columns: correct / total, or micro F1 = 2tp / (2tp + fp + fn); 0 on an empty denominator. */
        public double metric(long[] sums) {
            if (this == ACCURACY) return sums[1] == 0 ? 0 : (double) sums[0] / sums[1];
            long d = 2 * sums[0] + sums[1] + sums[2];
            return d == 0 ? 0 : 2.0 * sums[0] / d;
        }
    }

    public SentenceStats {
        if (columns.length != kind.columns.size())
            throw new IllegalArgumentException(kind + " needs " + kind.columns.size() + " columns, got " + columns.length);
        for (int[] c : columns)
            if (c.length != columns[0].length) throw new IllegalArgumentException("columns of different lengths");
    }

    /** Token accuracy: per sentence the correctly labelled words and all words. */
    public static SentenceStats accuracy(List<List<String>> gold, List<List<String>> pred) {
        SeqevalMetrics.checkShapes(gold, pred);
        int n = gold.size();
        int[] correct = new int[n], total = new int[n];
        for (int s = 0; s < n; s++) {
            for (int k = 0; k < gold.get(s).size(); k++) if (gold.get(s).get(k).equals(pred.get(s).get(k))) correct[s]++;
            total[s] = gold.get(s).size();
        }
        return new SentenceStats(Kind.ACCURACY, new int[][]{correct, total});
    }

    /** Entity (chunk) micro F1 as seqeval 1.x: conlleval mode when {@code strict} is null, else strict for that scheme. */
    public static SentenceStats chunkF1(List<List<String>> gold, List<List<String>> pred, Scheme strict) {
        SeqevalMetrics.checkShapes(gold, pred);
        return f1(gold, pred, (labels, s) -> strict == null ? ChunkDecoder.conlleval(List.of(labels)) : ChunkDecoder.strict(labels, strict, s));
    }

    /**
     * The paper's POS "F1": seqeval 0.0.12's chunk F1 over the raw UPOS tags (the first character read as the chunk prefix,
     * the whole tag as the type); see {@link ChunkDecoder.Reading#V0_0_12}. Sums to {@link SeqevalMetrics#evaluateSeqeval0012}.
     */
    public static SentenceStats paperPosF1(List<List<String>> gold, List<List<String>> pred) {
        SeqevalMetrics.checkShapes(gold, pred);
        return f1(gold, pred, (labels, s) -> ChunkDecoder.conlleval(List.of(labels), ChunkDecoder.Reading.V0_0_12));
    }

    private interface Decoder { List<Chunk> chunks(List<String> labels, int sentence); }

    private static SentenceStats f1(List<List<String>> gold, List<List<String>> pred, Decoder decoder) {
        int n = gold.size();
        int[] tp = new int[n], fp = new int[n], fn = new int[n];
        for (int s = 0; s < n; s++) {
            Set<Chunk> g = new HashSet<>(decoder.chunks(gold.get(s), s));
            Set<Chunk> p = new HashSet<>(decoder.chunks(pred.get(s), s));
            for (Chunk c : p) if (g.contains(c)) tp[s]++;
            fp[s] = p.size() - tp[s];
            fn[s] = g.size() - tp[s];
        }
        return new SentenceStats(Kind.F1, new int[][]{tp, fp, fn});
    }

    public int sentences() { return columns[0].length; }

    /** Column sums over all sentences. */
    public long[] sums() {
        long[] r = new long[columns.length];
        for (int c = 0; c < columns.length; c++) for (int v : columns[c]) r[c] += v;
        return r;
    }

    /** The corpus metric over all sentences. */
    public double value() { return kind.metric(sums()); }

    /**
     * What the gold side alone fixes per sentence (words for accuracy, gold chunks = tp + fn for F1): two systems can be
     * compared sentence by sentence only when these agree.
     */
    public int[] goldSizes() {
        if (kind == Kind.ACCURACY) return columns[1].clone();
        int[] r = new int[sentences()];
        for (int s = 0; s < r.length; s++) r[s] = columns[0][s] + columns[2][s];
        return r;
    }

    /** Checks that {@code other} scored the same sentences with the same metric; {@code what} names both in the error. */
    public void checkPairedWith(SentenceStats other, String what) {
        if (kind != other.kind) throw new HeadlensException(what + ": metrics differ (" + kind + " vs " + other.kind + ")");
        if (sentences() != other.sentences())
            throw new HeadlensException(what + ": " + sentences() + " vs " + other.sentences() + " evaluation sentences (not the same set)");
        int[] a = goldSizes(), b = other.goldSizes();
        List<Integer> bad = new ArrayList<>();
        for (int s = 0; s < a.length && bad.size() < 3; s++) if (a[s] != b[s]) bad.add(s);
        if (!bad.isEmpty())
            throw new HeadlensException(what + ": the gold side differs at sentence(s) " + bad + " (not the same evaluation sentences, or not in the same order)");
    }
}
