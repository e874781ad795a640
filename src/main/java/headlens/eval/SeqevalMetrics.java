package headlens.eval;

import java.util.ArrayList;
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
        checkShapes(gold, pred);
        return score(ChunkDecoder.conlleval(gold), ChunkDecoder.conlleval(pred));
    }

    /**
     * seqeval 0.0.12's {@code f1_score} (micro; per-type, macro and weighted alongside), the version the reproduced paper
     * used. Its decoding is conlleval's, but a label's type is everything after its last '-', the whole label when there
     * is none. Over UPOS tags this is the paper's POS "F1": the first letter is read as a prefix (N of NOUN), so a run of
     * the same tag is one chunk, except that SCONJ and SYM (prefix S, as in S-PER) are single-token chunks.
     */
    public static EntityScores evaluateSeqeval0012(List<List<String>> gold, List<List<String>> pred) {
        checkShapes(gold, pred);
        return score(ChunkDecoder.conlleval(gold, ChunkDecoder.Reading.V0_0_12),
                ChunkDecoder.conlleval(pred, ChunkDecoder.Reading.V0_0_12));
    }

    /** Strict mode for a scheme. */
    public static EntityScores evaluateStrict(List<List<String>> gold, List<List<String>> pred, Scheme scheme) {
        checkShapes(gold, pred);
        List<Chunk> g = new ArrayList<>(), p = new ArrayList<>();
        for (int s = 0; s < gold.size(); s++) {
            g.addAll(ChunkDecoder.strict(gold.get(s), scheme, s));
            p.addAll(ChunkDecoder.strict(pred.get(s), scheme, s));
        }
        return score(g, p);
    }

    /** Either mode: {@code scheme == null} = conlleval. */
    public static EntityScores evaluate(List<List<String>> gold, List<List<String>> pred, Scheme strictScheme) {
        return strictScheme == null ? evaluate(gold, pred) : evaluateStrict(gold, pred, strictScheme);
    }

    static EntityScores score(List<Chunk> goldChunks, List<Chunk> predChunks) {
        Set<Chunk> gold = new HashSet<>(goldChunks);
        Set<Chunk> pred = new HashSet<>(predChunks);
        Map<String, int[]> counts = new HashMap<>(); // type -> {correct, predicted, support}
        for (Chunk c : gold) counts.computeIfAbsent(c.type(), k -> new int[3])[2]++;
        for (Chunk c : pred) {
            int[] n = counts.computeIfAbsent(c.type(), k -> new int[3]);
            n[1]++;
            if (gold.contains(c)) n[0]++;
        }
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

    static void checkShapes(List<List<String>> gold, List<List<String>> pred) {
        if (gold.size() != pred.size())
            throw new IllegalArgumentException(gold.size() + " gold sentences but " + pred.size() + " predicted");
        for (int s = 0; s < gold.size(); s++)
            if (gold.get(s).size() != pred.get(s).size())
                throw new IllegalArgumentException("sentence " + s + ": " + gold.get(s).size() + " gold labels but "
                        + pred.get(s).size() + " predicted");
    }
}
