package headlens.train;

/**
 * One training or evaluation window: sub-token ids (special tokens included) and a label id per sub-token,
 * {@link TokenClassifier#IGNORE} where not counted (special tokens, non-first sub-tokens, context-only positions).
 */
public record Example(int[] ids, int[] labels) {
    public Example {
        if (ids.length != labels.length)
            throw new IllegalArgumentException("example has " + ids.length + " ids but " + labels.length + " labels");
    }

    public int length() { return ids.length; }
}
