package headlens.tokenize;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Arrays;

/**
 * Unigram language model segmentation: Viterbi over the lattice of all vocabulary pieces matching the word, maximizing the
 * sum of piece log-probabilities: HuggingFace's {@code encode_optimized} (f64) for a tokenizer.json, SentencePiece's
 * {@code EncodeOptimized} (float-stored sums) for a {@code .model}; the two break exact ties differently. A
 * character no piece starts with is unknown (score: min score − 10); consecutive unknowns are fused into one unknown token,
 * (whose token string is the unknown text itself), or, with byte fallback, spelled as {@code <0xXX>} byte pieces.
 */
final class Unigram implements Model {
    static final float UNK_PENALTY = 10.0f;

    /** How SentencePiece's own encoder differs from HuggingFace's (used when loading a {@code .model}). */
    record SpmRules(boolean[] matchable, boolean[] userDefined, float maxScore) {}

    private final String[] pieces;
    private final double[] scores;
    private final VocabMap index;
    private final CharTrie trie;
    private final int unkId;
    private final boolean byteFallback;
    private final double unkScore;
    private final SpmRules spm; // null: HuggingFace rules
    private final int[] byteIds;

    Unigram(String[] pieces, double[] scores, int unkId, boolean byteFallback, SpmRules spm, String where) {
        this.pieces = pieces;
        this.scores = scores;
        this.spm = spm;
        this.index = new VocabMap(pieces.length);
        this.trie = new CharTrie(pieces.length * 4);
        double min = Double.POSITIVE_INFINITY;
        for (int id = 0; id < pieces.length; id++) {
            if (pieces[id] == null) throw new TokenizerException(where + ": vocab entry " + id + " has no piece");
            index.put(pieces[id], id);
            if (spm == null) {
                min = Math.min(min, scores[id]);
                if (!pieces[id].isEmpty()) trie.put(pieces[id], id);
            } else if (spm.matchable()[id] && !pieces[id].isEmpty()) {
                trie.put(pieces[id], id);
            }
        }
        if (unkId < 0 || unkId >= pieces.length)
            throw new TokenizerException(where + ": unk_id " + unkId + " is not a piece id (0.." + (pieces.length - 1) + ")");
        this.unkId = unkId;
        this.byteFallback = byteFallback;
        if (spm != null) {
            float minNormal = Float.MAX_VALUE;
            for (int id = 0; id < pieces.length; id++) if (spm.matchable()[id] && !spm.userDefined()[id]) minNormal = Math.min(minNormal, (float) scores[id]);
            this.unkScore = minNormal - UNK_PENALTY;
        } else {
            this.unkScore = min - UNK_PENALTY;
        }
        this.byteIds = new int[256];
        for (int b = 0; b < 256; b++) byteIds[b] = index.get(String.format("<0x%02X>", b));
    }

    /** A tokenizer.json Unigram {@code model} of {@code src}: {@code vocab} is the [piece, score] list in id order. */
    static Unigram fromJson(JsonNode m, String src) {
        JsonNode vocab = m.get("vocab");
        if (vocab == null || !vocab.isArray()) throw new TokenizerException(src + ": model.vocab is missing or not an array");
        String[] pieces = new String[vocab.size()];
        double[] scores = new double[vocab.size()];
        for (int i = 0; i < pieces.length; i++) {
            JsonNode e = vocab.get(i);
            if (!e.isArray() || e.size() != 2 || !e.get(0).isTextual() || !e.get(1).isNumber())
                throw new TokenizerException(src + ": model.vocab[" + i + "] is not a [piece, score] pair");
            pieces[i] = e.get(0).asText();
            scores[i] = e.get(1).asDouble();
        }
        JsonNode unk = m.get("unk_id");
        if (unk == null || unk.isNull()) throw new TokenizerException(src + ": model.unk_id is missing (a Unigram vocab without an unknown token)");
        return new Unigram(pieces, scores, unk.asInt(), m.path("byte_fallback").asBoolean(false), null, src + ": model");
    }

    @Override
    public void tokenize(NormalizedString ns, int from, int to, Sink sink) {
        int size = to - from;
        if (size == 0) return;
        int[] startAt = new int[size + 1];
        int[] idAt = new int[size + 1];
        Arrays.fill(startAt, -1);
        viterbi(ns.chars, from, size, startAt, idAt);
        emit(ns, from, size, startAt, idAt, sink);
    }

    /**
     * The best path: for each end position the best score of a path to it ({@code best}) and that path's last piece
     * ({@code startAt}, {@code idAt}); a candidate replaces the stored best only when strictly greater, so an exact tie keeps
     * the path found first (the one whose last piece starts earliest). The two references differ only in arithmetic:
     * <ul>
     * <li>HuggingFace's {@code Unigram::encode_optimized} (tokenizers, models/unigram/model.rs): every score and sum in f64.
     * <li>SentencePiece's {@code Model::EncodeOptimized} (unigram_model.cc, 0.1.97 and since), type for type: the best
     * score per position is stored as a {@code float}; a piece's candidate is computed in double ({@code score} is a double
     * because the user-defined branch {@code length * max_score_ - 0.1} is one) and compared, unrounded, with the stored
     * float; the unknown candidate is {@code float + float} (here the double sum rounded once to float, which is the same
     * value: double rounding is innocuous for a sum of two floats). So which of two paths that tie in exact arithmetic wins
     * is decided by how the stored sum was rounded (e.g. "000" as "00"+"0" where f64 keeps "0"+"00").
     * </ul>
     */
    private void viterbi(char[] s, int from, int size, int[] startAt, int[] idAt) {
        double[] best = new double[size + 1];
        for (int pos = 0; pos < size; ) {
            int mblen = Character.charCount(Character.codePointAt(s, from + pos, from + size));
            double till = best[pos];
            boolean single = false;
            int node = 0;
            for (int k = pos; k < size; k++) {
                node = trie.child(node, s[from + k]);
                if (node < 0) break;
                int id = trie.value(node);
                if (id < 0) continue;
                int end = k + 1;
                double cand = pieceScore(id, s, from + pos, from + end) + till;
                if (startAt[end] < 0 || cand > best[end]) { best[end] = stored(cand); startAt[end] = pos; idAt[end] = id; }
                if (end - pos == mblen) single = true;
            }
            if (!single) {
                int end = pos + mblen;
                double cand = stored(unkScore + till);
                if (startAt[end] < 0 || cand > best[end]) { best[end] = cand; startAt[end] = pos; idAt[end] = unkId; }
            }
            pos += mblen;
        }
    }

    /** A path sum as the reference stores it: f64 (HuggingFace), or rounded to float (SentencePiece). */
    private double stored(double sum) {
        return spm == null ? sum : (float) sum;
    }

    /** A piece's score; SentencePiece scores a user-defined piece by its UTF-8 length ({@code s[from, to)}). */
    private double pieceScore(int id, char[] s, int from, int to) {
        if (spm == null) return scores[id];
        return spm.userDefined()[id] ? (double) ((float) utf8Length(s, from, to) * spm.maxScore()) - 0.1 : (double) (float) scores[id];
    }

    /** Backtracks the best path, then emits it left to right with consecutive unknowns fused. */
    private void emit(NormalizedString ns, int from, int size, int[] startAt, int[] idAt, Sink sink) {
        int n = 0;
        int[] ends = new int[16];
        for (int e = size; e > 0; e = startAt[e]) {
            if (n == ends.length) ends = Arrays.copyOf(ends, n * 2);
            ends[n++] = e;
        }
        int prevEnd = 0;
        for (int k = n - 1; k >= 0; k--) {
            int e = ends[k];
            int id = idAt[e];
            int st = prevEnd;
            if (id == unkId) {
                while (k > 0 && idAt[ends[k - 1]] == unkId) e = ends[--k];
                emitUnknown(ns, from + st, from + e, sink);
            } else {
                sink.add(id, pieces[id], from + st, from + e);
            }
            prevEnd = e;
        }
    }

    private void emitUnknown(NormalizedString ns, int from, int to, Sink sink) {
        if (byteFallback) {
            byte[] buf = new byte[4];
            int[] ids = new int[(to - from) * 3 + 4];
            int n = 0;
            for (int i = from; i < to; ) {
                int cp = ns.codePointAt(i);
                int b = CharsMap.utf8(cp, buf, 0);
                for (int k = 0; k < b; k++) {
                    int id = byteIds[buf[k] & 0xFF];
                    if (id < 0) { n = -1; break; }
                    ids[n++] = id;
                }
                if (n < 0) break;
                i += Character.charCount(cp);
            }
            if (n >= 0) {
                for (int k = 0; k < n; k++) sink.add(ids[k], pieces[ids[k]], from, to);
                return;
            }
        }
        sink.add(unkId, ns.substring(from, to), from, to); // both HuggingFace and SentencePiece report the surface text
    }

    private static int utf8Length(char[] s, int from, int to) {
        int n = 0;
        for (int i = from; i < to; ) {
            int cp = Character.codePointAt(s, i, to);
            n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            i += Character.charCount(cp);
        }
        return n;
    }

    @Override public int vocabSize() { return pieces.length; }

    @Override public int unkId() { return unkId; }

    @Override public int tokenToId(String token) { return index.get(token); }

    @Override public String idToToken(int id) { return id >= 0 && id < pieces.length ? pieces[id] : null; }

    double score(int id) { return scores[id]; }
}
