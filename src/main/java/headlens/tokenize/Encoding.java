package headlens.tokenize;

/**
 * One tokenized input, aligned position by position.
 *
 * @param ids       vocabulary ids, special tokens included
 * @param tokens    the token strings (pieces) for {@code ids}
 * @param offsets   [start, end) character (UTF-16 index) offsets into the original input per token; [0, 0] for added special tokens
 * @param wordIds   for pre-split input, the index of the word each token came from; -1 for special tokens
 *                  (for raw text: the index of the pre-tokenized word, as HuggingFace's {@code word_ids()})
 * @param special   1 where the token was added by the post-processor ([CLS], [SEP], &lt;s&gt;, &lt;/s&gt;)
 */
public record Encoding(int[] ids, String[] tokens, int[][] offsets, int[] wordIds, int[] special) {
    public int length() { return ids.length; }
}
