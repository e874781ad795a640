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
}
