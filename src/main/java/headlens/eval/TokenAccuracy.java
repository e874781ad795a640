package headlens.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Token accuracy with a per-label table. */
public final class TokenAccuracy {
    private TokenAccuracy() {}

    public static TokenScores evaluate(List<List<String>> gold, List<List<String>> pred) {
        SeqevalMetrics.checkShapes(gold, pred);
        Counts c = new Counts();
        for (int s = 0; s < gold.size(); s++) c.add(gold.get(s), pred.get(s));
        return c.scores();
    }

    /** The sufficient statistics, {correct, predicted, support} per label, added a sentence at a time. */
    public static final class Counts {
        private final Map<String, int[]> counts = new TreeMap<>(); // label -> {correct, predicted, support}
        private int correct, total;

        /** The next sentence's gold and predicted labels (same length; callers check). */
        public void add(List<String> gold, List<String> pred) {
            for (int k = 0; k < gold.size(); k++) {
                String g = gold.get(k), p = pred.get(k);
                counts.computeIfAbsent(g, x -> new int[3])[2]++;
                counts.computeIfAbsent(p, x -> new int[3])[1]++;
                if (g.equals(p)) { correct++; counts.get(g)[0]++; }
                total++;
            }
        }

        public TokenScores scores() {
            Map<String, Prf> perLabel = new LinkedHashMap<>();
            counts.forEach((label, n) -> perLabel.put(label, Prf.of(n[0], n[1], n[2])));
            return new TokenScores(total == 0 ? 0 : (double) correct / total, correct, total, perLabel);
        }
    }
}
