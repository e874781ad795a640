package headlens.tokenize;

import com.fasterxml.jackson.databind.JsonNode;

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

    /** The id of the unknown token. */
    int unkId();

    /** A tokenizer.json {@code model} object of {@code src}; files older than tokenizers 0.10 have no {@code type}. */
    static Model fromJson(JsonNode m, String src) {
        String type = m.path("type").asText(null);
        if (type == null) type = m.path("vocab").isArray() ? "Unigram" : m.has("continuing_subword_prefix") ? "WordPiece" : null;
        if (type == null) throw new TokenizerException(src + ": model.type is missing");
        return switch (type) {
            case "WordPiece" -> WordPiece.fromJson(m, src);
            case "Unigram" -> Unigram.fromJson(m, src);
            default -> throw new TokenizerException(src + ": model.type \"" + type + "\" is not supported (supported: WordPiece, Unigram)");
        };
    }
}
