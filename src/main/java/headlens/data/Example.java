package headlens.data;

/**
 * One model input: a window of a sentence, special tokens included, not padded.
 *
 * @param sentence  index of the sentence in the list given to {@link FeatureBuilder#build(java.util.List)}
 * @param window    index of this window within its sentence (0 when the sentence fits)
 * @param inputIds  token ids
 * @param labelIds  label id at the first sub-token of each word this window owns; {@link FeatureBuilder#IGNORE} elsewhere
 *                  (special tokens, continuation pieces, context words owned by another window, unlabelled data,
 *                  labels missing from the label map)
 * @param wordOf    sentence-level word index at the first sub-token of each owned word, -1 elsewhere: where to read
 *                  the prediction for that word
 * @param firstWord first word (inclusive) whose tokens are in this window
 * @param endWord   last word (exclusive) whose tokens are in this window
 * @param ownFrom   first word (inclusive) this window predicts
 * @param ownTo     last word (exclusive) this window predicts
 */
public record Example(int sentence, int window, int[] inputIds, int[] labelIds, int[] wordOf,
                      int firstWord, int endWord, int ownFrom, int ownTo) {
    public int length() { return inputIds.length; }
}
