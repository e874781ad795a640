package headlens.eval;

import headlens.core.HeadlensException;

import java.util.ArrayList;
import java.util.List;

/** Extracts chunks from label sequences, either as conlleval does (seqeval default mode) or strictly for a {@link Scheme}. */
public final class ChunkDecoder {
    private ChunkDecoder() {}

    /**
     * conlleval semantics, exactly as seqeval's {@code get_entities}: sentences are concatenated with an {@code O} after each,
     * so offsets are global ({@link Chunk#sentence()} = -1). Any scheme of B/I/E/S prefixes is accepted and ill-formed
     * sequences are repaired the conlleval way: an I- after O, or after a different type, starts a chunk; a type change
     * ends one.
     */
    public static List<Chunk> conlleval(List<List<String>> sentences) {
        return conlleval(sentences, Reading.V1);
    }

    /**
     * How seqeval reads a label's type (the prefix is always its first character). The versions differ for labels
     * without a dash, such as UPOS tags, and for labels with several dashes.
     */
    public enum Reading {
        /** seqeval 1.x: {@code chunk[1:].split('-', maxsplit=1)[-1] or '_'}: B-PER → PER, NOUN → OUN, X → _. */
        V1,
        /**
         * seqeval 0.0.12 (the reproduced paper's): {@code chunk.split('-')[-1]}: B-PER → PER, NOUN → NOUN, B-ORG-X → X.
         * For UPOS it keeps CCONJ and SCONJ apart, which 1.x reads as the same type CONJ.
         */
        V0_0_12
    }

    /** As {@link #conlleval(List)}, with the type read as the given seqeval version does. */
    public static List<Chunk> conlleval(List<List<String>> sentences, Reading reading) {
        Conlleval d = new Conlleval(reading);
        List<Chunk> chunks = new ArrayList<>();
        for (List<String> sentence : sentences) chunks.addAll(d.next(sentence));
        return chunks;
    }

    /**
     * {@link #conlleval(List)} a sentence at a time, for scoring without holding every sentence: the decoder's state
     * and offsets run on from one sentence to the next, so the chunks are exactly those of the concatenation. A chunk
     * is returned with the sentence (or the sentinel {@code O} after it) at which it ends.
     */
    public static final class Conlleval {
        private final Reading reading;
        private char prevTag = 'O';
        private String prevType = "";
        private int begin, i, emitted;

        public Conlleval() { this(Reading.V1); }

        public Conlleval(Reading reading) { this.reading = reading; }

        public List<Chunk> next(List<String> sentence) {
            List<Chunk> chunks = new ArrayList<>();
            for (int k = 0; k <= sentence.size(); k++, i++) {
                String label = k < sentence.size() ? sentence.get(k) : "O";
                if (label.isEmpty()) throw new HeadlensException("empty label in sentence " + (emitted + chunks.size()));
                char tag = label.charAt(0);
                String type = reading == Reading.V1 ? typeOf(label) : label.substring(label.lastIndexOf('-') + 1);
                if (endOfChunk(prevTag, tag, prevType, type)) chunks.add(new Chunk(prevType, -1, begin, i));
                if (startOfChunk(prevTag, tag, prevType, type)) begin = i;
                prevTag = tag;
                prevType = type;
            }
            emitted += chunks.size();
            return chunks;
        }
    }

    /** seqeval: {@code chunk[1:].split('-', maxsplit=1)[-1] or '_'}. */
    static String typeOf(String label) {
        String rest = label.substring(1);
        int dash = rest.indexOf('-');
        String type = dash >= 0 ? rest.substring(dash + 1) : rest;
        return type.isEmpty() ? "_" : type;
    }

    static boolean endOfChunk(char prevTag, char tag, String prevType, String type) {
        if (prevTag == 'E' || prevTag == 'S') return true;
        if ((prevTag == 'B' || prevTag == 'I') && (tag == 'B' || tag == 'S' || tag == 'O')) return true;
        return prevTag != 'O' && prevTag != '.' && !prevType.equals(type);
    }

    static boolean startOfChunk(char prevTag, char tag, String prevType, String type) {
        if (tag == 'B' || tag == 'S') return true;
        if ((prevTag == 'E' || prevTag == 'S' || prevTag == 'O') && (tag == 'E' || tag == 'I')) return true;
        return tag != 'O' && tag != '.' && !prevType.equals(type);
    }

    /**
     * Strict decoding as seqeval's {@code mode='strict'}: a chunk counts only when it starts, continues and ends by the
     * scheme's rules (e.g. in IOB2 an I- after O is not a chunk). Labels with a prefix the scheme does not allow are an error.
     */
    public static List<Chunk> strict(List<String> labels, Scheme scheme, int sentence) {
        int n = labels.size();
        Scheme.Tag[] tags = new Scheme.Tag[n + 1];
        for (int k = 0; k < n; k++) {
            tags[k] = Scheme.Tag.of(labels.get(k));
            if (scheme.allowed.indexOf(tags[k].prefix()) < 0)
                throw new HeadlensException("label '" + labels.get(k) + "' (sentence " + sentence + ", token " + k
                        + ") is not valid in scheme " + scheme + " (allowed prefixes: " + scheme.allowed + ")");
        }
        tags[n] = Scheme.Tag.OUTSIDE; // sentinel
        List<Chunk> chunks = new ArrayList<>();
        Scheme.Tag prev = Scheme.Tag.OUTSIDE;
        int i = 0;
        while (i <= n) {
            Scheme.Tag tag = tags[i];
            if (scheme.isStart(prev, tag)) {
                int end = forward(tags, scheme, i + 1, tag);
                if (scheme.isEnd(tags[end - 1], tags[end])) chunks.add(new Chunk(tag.type(), sentence, i, end));
                i = end;
            } else {
                i++;
            }
            prev = tags[i - 1];
        }
        return chunks;
    }

    private static int forward(Scheme.Tag[] tags, Scheme scheme, int from, Scheme.Tag prev) {
        for (int i = from; i < tags.length; i++) {
            if (scheme.isInside(prev, tags[i])) prev = tags[i];
            else return i;
        }
        return tags.length - 2; // unreachable: the O sentinel is never "inside" (kept as seqeval's _forward)
    }
}
