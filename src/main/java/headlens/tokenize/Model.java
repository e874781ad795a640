package headlens.tokenize;

/** A tokenization model (HuggingFace {@code model}): turns one word into vocabulary pieces. */
interface Model {
    /** Receives the pieces of a word: id, token string, and the normalized units [from, to) it covers. */
    interface Sink {
        void add(int id, String token, int from, int to);
    }

    void tokenize(NormalizedString ns, int from, int to, Sink sink);

    int vocabSize();

    int tokenToId(String token);

    String idToToken(int id);
}
