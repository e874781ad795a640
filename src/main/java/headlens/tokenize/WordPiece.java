package headlens.tokenize;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Iterator;
import java.util.Map;

/**
 * WordPiece: greedy longest-match-first; pieces after the first carry the continuation prefix ("##"); a word longer than
 * {@code maxInputCharsPerWord} code points, or one that cannot be fully covered, becomes a single unknown token.
 */
final class WordPiece implements Model {
    private final String[] vocab;
    private final VocabMap all;          // every token
    private final VocabMap continuation; // tokens that start with the prefix, keyed without it
    private final int unkId;
    private final String unk;
    private final int maxInputCharsPerWord;
    private final int maxLen, maxContLen;  // longest key in chars (bounds the search; does not change the result)

    WordPiece(String[] vocab, String unkToken, String prefix, int maxInputCharsPerWord, String where) {
        this.vocab = vocab;
        this.all = new VocabMap(vocab.length);
        this.continuation = new VocabMap(vocab.length);
        int ml = 1, mc = 1;
        for (int id = 0; id < vocab.length; id++) {
            String t = vocab[id];
            if (t == null) throw new TokenizerException(where + ": vocabulary has no token with id " + id);
            all.put(t, id);
            ml = Math.max(ml, t.length());
            if (!prefix.isEmpty() && t.startsWith(prefix)) {
                continuation.put(t.substring(prefix.length()), id);
                mc = Math.max(mc, t.length() - prefix.length());
            }
        }
        if (prefix.isEmpty()) {
            for (int id = 0; id < vocab.length; id++) continuation.put(vocab[id], id);
            mc = ml;
        }
        this.unkId = all.get(unkToken);
        if (unkId < 0) throw new TokenizerException(where + ": unk_token \"" + unkToken + "\" is not in the vocabulary");
        this.unk = unkToken;
        this.maxInputCharsPerWord = maxInputCharsPerWord;
        this.maxLen = ml;
        this.maxContLen = mc;
    }

    /** A tokenizer.json WordPiece {@code model} of {@code src}: {@code vocab} maps every id from 0 on to one token. */
    static WordPiece fromJson(JsonNode m, String src) {
        JsonNode vocab = m.get("vocab");
        if (vocab == null || !vocab.isObject()) throw new TokenizerException(src + ": model.vocab is missing or not an object");
        int max = -1;
        for (JsonNode v : vocab) {
            if (!v.canConvertToInt() || v.asInt() < 0) throw new TokenizerException(src + ": model.vocab has a non-integer or negative id: " + v);
            max = Math.max(max, v.asInt());
        }
        if (max >= 10_000_000) throw new TokenizerException(src + ": model.vocab id " + max + " is implausibly large");
        String[] arr = new String[max + 1];
        for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            arr[e.getValue().asInt()] = e.getKey();
        }
        for (int i = 0; i < arr.length; i++)
            if (arr[i] == null) throw new TokenizerException(src + ": model.vocab has no token with id " + i);
        return new WordPiece(arr, JsonFields.textOr(m, "unk_token", "[UNK]"), JsonFields.textOr(m, "continuing_subword_prefix", "##"),
                m.path("max_input_chars_per_word").asInt(100), src + ": model");
    }

    @Override
    public void tokenize(NormalizedString ns, int from, int to, Sink sink) {
        if (Character.codePointCount(ns.chars, from, to - from) > maxInputCharsPerWord) {
            sink.add(unkId, unk, from, to);
            return;
        }
        char[] s = ns.chars;
        int[] ids = new int[16], starts = new int[16];
        int n = 0;
        int start = from;
        while (start < to) {
            boolean first = start == from;
            int end = Math.min(to, start + (first ? maxLen : maxContLen));
            if (end < to && Character.isLowSurrogate(s[end]) && end > start + 1) end--;
            int id = -1;
            while (end > start) {
                id = first ? all.get(s, start, end - start) : continuation.get(s, start, end - start);
                if (id >= 0) break;
                end--;
                if (end > start && Character.isLowSurrogate(s[end]) && Character.isHighSurrogate(s[end - 1])) end--;
            }
            if (id < 0) {
                sink.add(unkId, unk, from, to);
                return;
            }
            if (n == ids.length) { ids = java.util.Arrays.copyOf(ids, n * 2); starts = java.util.Arrays.copyOf(starts, n * 2); }
            ids[n] = id; starts[n] = start; n++;
            start = end;
        }
        for (int k = 0; k < n; k++) sink.add(ids[k], vocab[ids[k]], starts[k], k + 1 < n ? starts[k + 1] : to);
    }

    @Override public int vocabSize() { return vocab.length; }

    @Override public int unkId() { return unkId; }

    @Override public int tokenToId(String token) { return all.get(token); }

    @Override public String idToToken(int id) { return id >= 0 && id < vocab.length ? vocab[id] : null; }
}
