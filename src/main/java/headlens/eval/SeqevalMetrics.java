package headlens.eval;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Entity-level precision/recall/F1 as seqeval computes them: chunks are compared as exact (type, span) matches.
 * Default mode follows conlleval (any of IOB1/IOB2/IOE1/IOE2/BIOES, ill-formed sequences repaired); strict mode follows
 * seqeval's {@code mode='strict', scheme=...}.
 */
public final class SeqevalMetrics {
    private SeqevalMetrics() {}

    /** conlleval-compatible (seqeval's default mode). */
    public static EntityScores evaluate(List<List<String>> gold, List<List<String>> pred) {
        return evaluate(gold, pred, null);
    }

    /**
     * seqeval 0.0.12's {@code f1_score} (micro; per-type, macro and weighted alongside), the version the reproduced paper
     * used. Its decoding is conlleval's, but a label's type is everything after its last '-', the whole label when there
     * is none. Over UPOS tags this is the paper's POS "F1": the first letter is read as a prefix (N of NOUN), so a run of
     * the same tag is one chunk, except that SCONJ and SYM (prefix S, as in S-PER) are single-token chunks.
     */
    public static EntityScores evaluateSeqeval0012(List<List<String>> gold, List<List<String>> pred) {
        checkShapes(gold, pred);
        Counts c = new Counts(null, ChunkDecoder.Reading.V0_0_12);
        for (int s = 0; s < gold.size(); s++) c.add(gold.get(s), pred.get(s));
        return c.scores();
    }

    /** Strict mode for a scheme. */
    public static EntityScores evaluateStrict(List<List<String>> gold, List<List<String>> pred, Scheme scheme) {
        return evaluate(gold, pred, scheme);
    }

    /** Either mode: {@code scheme == null} = conlleval. */
    public static EntityScores evaluate(List<List<String>> gold, List<List<String>> pred, Scheme strictScheme) {
        checkShapes(gold, pred);
        Counts c = new Counts(strictScheme);
        for (int s = 0; s < gold.size(); s++) c.add(gold.get(s), pred.get(s));
        return c.scores();
    }

    /**
     * The sufficient statistics of entity scores, {correct, predicted, support} per type, added a sentence at a time
     * (so scoring holds no predictions). A gold and a predicted chunk can only match when they end in the same
     * sentence (strict: carry its index; conlleval: end at the same global offset), so counting matches per sentence
     * gives the counts of the whole set.
     */
    public static final class Counts {
        private final Scheme strict;
        private final ChunkDecoder.Conlleval goldChunks, predChunks;
        private final Map<String, int[]> counts = new HashMap<>(); // type -> {correct, predicted, support}
        private int sentence;

        /** @param strict the strict-mode scheme, or null for conlleval mode */
        public Counts(Scheme strict) { this(strict, ChunkDecoder.Reading.V1); }

        /** conlleval mode with the label types read as the given seqeval version does (ignored in strict mode). */
        public Counts(Scheme strict, ChunkDecoder.Reading reading) {
            this.strict = strict;
            this.goldChunks = new ChunkDecoder.Conlleval(reading);
            this.predChunks = new ChunkDecoder.Conlleval(reading);
        }

        /** The next sentence's gold and predicted labels (same length; callers check). */
        public void add(List<String> gold, List<String> pred) {
            if (strict == null) count(goldChunks.next(gold), predChunks.next(pred));
            else count(ChunkDecoder.strict(gold, strict, sentence), ChunkDecoder.strict(pred, strict, sentence));
            sentence++;
        }

        private void count(List<Chunk> goldChunks, List<Chunk> predChunks) {
            Set<Chunk> gold = new HashSet<>(goldChunks);
            Set<Chunk> pred = new HashSet<>(predChunks);
            for (Chunk c : gold) counts.computeIfAbsent(c.type(), k -> new int[3])[2]++;
            for (Chunk c : pred) {
                int[] n = counts.computeIfAbsent(c.type(), k -> new int[3]);
                n[1]++;
                if (gold.contains(c)) n[0]++;
            }
        }

        public EntityScores scores() {
            Map<String, Prf> perType = new LinkedHashMap<>();
            int correct = 0, predicted = 0, support = 0;
            double mp = 0, mr = 0, mf = 0, wp = 0, wr = 0, wf = 0;
            for (String type : new TreeSet<>(counts.keySet())) {
                int[] n = counts.get(type);
                Prf prf = Prf.of(n[0], n[1], n[2]);
                perType.put(type, prf);
                correct += n[0]; predicted += n[1]; support += n[2];
                mp += prf.precision(); mr += prf.recall(); mf += prf.f1();
                wp += prf.precision() * n[2]; wr += prf.recall() * n[2]; wf += prf.f1() * n[2];
            }
            int types = perType.size();
            Prf micro = Prf.of(correct, predicted, support);
            Prf macro = types == 0 ? new Prf(0, 0, 0, 0, 0, 0)
                    : new Prf(mp / types, mr / types, mf / types, support, predicted, correct);
            Prf weighted = support == 0 ? new Prf(0, 0, 0, 0, predicted, correct)
                    : new Prf(wp / support, wr / support, wf / support, support, predicted, correct);
            return new EntityScores(perType, micro, macro, weighted);
        }
    }

    static void checkShapes(List<List<String>> gold, List<List<String>> pred) {
        if (gold.size() != pred.size())
            throw new IllegalArgumentException(gold.size() + " gold sentences but " + pred.size() + " predicted");
        for (int s = 0; s < gold.size(); s++)
            if (gold.get(s).size() != pred.get(s).size())
                throw new IllegalArgumentException("sentence " + s + ": " + gold.get(s).size() + " gold labels but "
                        + pred.get(s).size() + " predicted");
    }
}
