package headlens.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Maps token-level predictions of (possibly several) windows back to one label per word. */
public final class Alignment {
    private Alignment() {}

    /**
     * One predicted label id per word of a sentence.
     *
     * @param numWords         words in the sentence
     * @param windows          the sentence's examples (any order)
     * @param tokenPredictions predicted label id per token, aligned with {@code windows}; rows may be longer (padding)
     */
    public static int[] wordPredictions(int numWords, List<Example> windows, List<int[]> tokenPredictions) {
        if (windows.size() != tokenPredictions.size())
            throw new IllegalArgumentException(windows.size() + " windows but " + tokenPredictions.size() + " prediction rows");
        int[] out = new int[numWords];
        Arrays.fill(out, -1);
        for (int i = 0; i < windows.size(); i++) {
            Example ex = windows.get(i);
            int[] pred = tokenPredictions.get(i);
            if (pred.length < ex.length())
                throw new IllegalArgumentException("prediction row " + i + " has " + pred.length + " tokens, window has " + ex.length());
            for (int t = 0; t < ex.length(); t++) {
                int w = ex.wordOf()[t];
                if (w < 0) continue;
                if (out[w] != -1) throw new IllegalStateException("word " + w + " predicted by two windows");
                out[w] = pred[t];
            }
        }
        for (int w = 0; w < numWords; w++)
            if (out[w] == -1) throw new IllegalStateException("word " + w + " has no prediction");
        return out;
    }

    /**
     * Predicted label ids per sentence for a whole dataset.
     *
     * @param sentenceSizes    words per sentence, indexed like {@link Example#sentence()}
     * @param examples         all examples (any order)
     * @param tokenPredictions per-token predicted ids, aligned with {@code examples}
     */
    public static List<int[]> wordPredictions(int[] sentenceSizes, List<Example> examples, List<int[]> tokenPredictions) {
        List<List<Example>> windows = new ArrayList<>();
        List<List<int[]>> preds = new ArrayList<>();
        for (int s = 0; s < sentenceSizes.length; s++) { windows.add(new ArrayList<>()); preds.add(new ArrayList<>()); }
        for (int i = 0; i < examples.size(); i++) {
            int s = examples.get(i).sentence();
            windows.get(s).add(examples.get(i));
            preds.get(s).add(tokenPredictions.get(i));
        }
        List<int[]> out = new ArrayList<>(sentenceSizes.length);
        for (int s = 0; s < sentenceSizes.length; s++) out.add(wordPredictions(sentenceSizes[s], windows.get(s), preds.get(s)));
        return out;
    }

    public static int[] sizes(List<Sentence> sentences) {
        return sentences.stream().mapToInt(Sentence::size).toArray();
    }
}
