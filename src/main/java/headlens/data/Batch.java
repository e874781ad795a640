package headlens.data;

import java.util.List;

/**
 * Padded examples of one batch, all rows {@code length} long.
 *
 * @param inputIds      [rows][length], padded with the pad id
 * @param attentionMask [rows][length], 1 for real tokens, 0 for padding
 * @param labelIds      [rows][length], {@link FeatureBuilder#IGNORE} on padding
 * @param examples      the example of each row (to map predictions back)
 */
public record Batch(int[][] inputIds, int[][] attentionMask, int[][] labelIds, List<Example> examples) {
    public int rows() { return inputIds.length; }

    public int length() { return inputIds.length == 0 ? 0 : inputIds[0].length; }

    /** Real (non-padding) tokens in the batch. */
    public int tokens() {
        int n = 0;
        for (Example e : examples) n += e.length();
        return n;
    }
}
