package headlens.tokenize;

import java.util.ArrayList;
import java.util.List;

/**
 * The HuggingFace pipeline: added tokens split off the raw text, normalizer, pre-tokenizer, model, post-processor. Immutable
 * and thread-safe once built; every loader ({@link Tokenizers}) produces one of these.
 */
public final class PipelineTokenizer implements Tokenizer {
    private final String source;
    private final AddedVocabulary added;
    private final Normalizer normalizer;   // null: none
    private final PreTokenizer preTokenizer; // null: the whole text is one word
    private final Model model;
    private final PostProcessor post;
    private final int vocabSize;
    private final int padId, clsId, sepId, unkId;
    private final boolean rawSentencePiece;

    PipelineTokenizer(String source, AddedVocabulary added, Normalizer normalizer, PreTokenizer preTokenizer, Model model,
                      PostProcessor post, int vocabSize, int padId, int clsId, int sepId, int unkId, boolean rawSentencePiece) {
        this.source = source;
        this.added = added;
        this.normalizer = normalizer;
        this.preTokenizer = preTokenizer;
        this.model = model;
        this.post = post;
        this.vocabSize = vocabSize;
        this.padId = padId;
        this.clsId = clsId;
        this.sepId = sepId;
        this.unkId = unkId;
        this.rawSentencePiece = rawSentencePiece;
    }

    @Override
    public Encoding encode(String text) {
        EncodingBuilder b = new EncodingBuilder();
        addPrefix(b);
        int[] word = {0};
        encodeSequence(text, b, word, false);
        addSuffix(b);
        return b.build();
    }

    @Override
    public Encoding encodeWords(List<String> words) {
        EncodingBuilder b = new EncodingBuilder();
        addPrefix(b);
        int[] word = {0};
        for (int w = 0; w < words.size(); w++) {
            word[0] = w;
            encodeSequence(words.get(w), b, word, true);
        }
        addSuffix(b);
        return b.build();
    }

    /** The text after added-token splitting and normalization (added tokens kept verbatim), for checks and debugging. */
    public String normalize(String text) {
        StringBuilder sb = new StringBuilder();
        for (AddedVocabulary.Segment seg : added.split(text)) {
            if (seg.id() >= 0) sb.append(seg.content());
            else sb.append(normalizeSegment(text, seg.start(), seg.end()));
        }
        return sb.toString();
    }

    /**
     * The words the pre-tokenizer makes of the normalized text, indexed as {@link Encoding#wordIds()} of {@link #encode}
     * (an added token found in the text is one word).
     */
    public List<String> preTokenize(String text) {
        List<String> out = new ArrayList<>();
        List<PreTokenizer.Span> spans = new ArrayList<>();
        for (AddedVocabulary.Segment seg : added.split(text)) {
            if (seg.id() >= 0) {
                out.add(seg.content());
                continue;
            }
            spans.clear();
            NormalizedString ns = normalizeSegment(text, seg.start(), seg.end());
            split(ns, spans);
            for (PreTokenizer.Span s : spans) if (s.end() > s.start()) out.add(s.ns().substring(s.start(), s.end()));
        }
        return out;
    }

    private NormalizedString normalizeSegment(String text, int from, int to) {
        NormalizedString ns = NormalizedString.of(text, from, to);
        return normalizer == null ? ns : normalizer.apply(ns);
    }

    private void split(NormalizedString ns, List<PreTokenizer.Span> out) {
        if (preTokenizer == null) {
            if (ns.len > 0) out.add(new PreTokenizer.Span(ns, 0, ns.len));
        } else {
            preTokenizer.split(ns, 0, ns.len, out);
        }
    }

    /** One sequence (the text, or one pre-split word); {@code word[0]} counts words unless {@code fixedWord}. */
    private void encodeSequence(String text, EncodingBuilder b, int[] word, boolean fixedWord) {
        List<PreTokenizer.Span> spans = new ArrayList<>();
        for (AddedVocabulary.Segment seg : added.split(text)) {
            if (seg.id() >= 0) {
                b.add(seg.id(), seg.content(), seg.start(), seg.end(), word[0], 0);
                if (!fixedWord) word[0]++;
                continue;
            }
            if (seg.end() == seg.start()) continue;
            NormalizedString ns = normalizeSegment(text, seg.start(), seg.end());
            spans.clear();
            split(ns, spans);
            for (PreTokenizer.Span s : spans) {
                if (s.end() == s.start()) continue;
                b.ns = s.ns();
                b.wordId = word[0];
                model.tokenize(s.ns(), s.start(), s.end(), b);
                if (!fixedWord) word[0]++;
            }
        }
    }

    private void addPrefix(EncodingBuilder b) {
        for (int i = 0; i < post.prefixIds().length; i++) b.add(post.prefixIds()[i], post.prefixTokens()[i], 0, 0, -1, 1);
    }

    private void addSuffix(EncodingBuilder b) {
        for (int i = 0; i < post.suffixIds().length; i++) b.add(post.suffixIds()[i], post.suffixTokens()[i], 0, 0, -1, 1);
    }

    /** Number of special tokens the post-processor adds to one sequence. */
    public int numSpecialTokens() { return post.added(); }

    /** True for a bare SentencePiece {@code .model}: SentencePiece's own ids and pieces, no special tokens. */
    public boolean isRawSentencePiece() { return rawSentencePiece; }

    /** The file (or resource) this tokenizer was loaded from. */
    public String source() { return source; }

    @Override public int vocabSize() { return vocabSize; }

    @Override
    public int tokenToId(String token) {
        for (AddedVocabulary.Token t : added.tokens()) if (t.content().equals(token)) return t.id();
        return model.tokenToId(token);
    }

    @Override
    public String idToToken(int id) {
        String t = model.idToToken(id);
        if (t != null) return t;
        for (AddedVocabulary.Token a : added.tokens()) if (a.id() == id) return a.content();
        return null;
    }

    @Override public int padId() { return padId; }

    @Override public int clsId() { return clsId; }

    @Override public int sepId() { return sepId; }

    @Override public int unkId() { return unkId; }

    @Override public String toString() { return "Tokenizer(" + source + ")"; }
}
