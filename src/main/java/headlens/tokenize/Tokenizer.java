package headlens.tokenize;

import java.util.List;

/** A tokenizer equal, id for id, to the HuggingFace tokenizer it was loaded from. */
public interface Tokenizer {
    /** Encodes raw text as HuggingFace's default call {@code tokenizer(text)}: special tokens added, no truncation. */
    Encoding encode(String text);

    /** Encodes pre-split words ({@code is_split_into_words=True}); {@link Encoding#wordIds()} maps tokens to words. */
    Encoding encodeWords(List<String> words);

    int vocabSize();

    /** Id of a token string, or -1 when absent. */
    int tokenToId(String token);

    String idToToken(int id);

    int padId();

    int clsId();   // [CLS] or <s>

    int sepId();   // [SEP] or </s>

    int unkId();

    /**
     * {@link #encode} cut into windows of at most {@code maxLength} tokens (specials included) overlapping by {@code stride}
     * tokens; see {@link Windows}. A text that fits gives one window.
     */
    default List<Encoding> encodeWindows(String text, int maxLength, int stride) {
        return Windows.of(encode(text), maxLength, stride);
    }

    /** {@link #encodeWords} cut into overlapping windows; word ids stay those of the full word list. */
    default List<Encoding> encodeWordsWindows(List<String> words, int maxLength, int stride) {
        return Windows.of(encodeWords(words), maxLength, stride);
    }

    /** {@link #encode} truncated to {@code maxLength} tokens (specials kept), as HuggingFace's {@code truncation=True}. */
    default Encoding encodeTruncated(String text, int maxLength) {
        return Windows.truncate(encode(text), maxLength);
    }
}
