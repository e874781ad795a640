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
        Map<String, int[]> counts = new TreeMap<>(); // label -> {correct, predicted, support}
        int correct = 0, total = 0;
        for (int s = 0; s < gold.size(); s++) {
            for (int k = 0; k < gold.get(s).size(); k++) {
                String g = gold.get(s).get(k), p = pred.get(s).get(k);
                counts.computeIfAbsent(g, x -> new int[3])[2]++;
                counts.computeIfAbsent(p, x -> new int[3])[1]++;
                if (g.equals(p)) { correct++; counts.get(g)[0]++; }
                total++;
            }
        }
        Map<String, Prf> perLabel = new LinkedHashMap<>();
        counts.forEach((label, n) -> perLabel.put(label, Prf.of(n[0], n[1], n[2])));
        return new TokenScores(total == 0 ? 0 : (double) correct / total, correct, total, perLabel);
    }
}
