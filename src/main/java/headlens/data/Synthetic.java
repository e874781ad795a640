package headlens.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A small generated POS-tagged corpus for the demo job and end-to-end tests: sentences from a handful of English
 * templates over a fixed lexicon, tagged with Universal POS tags. Ambiguous words (e.g. "book", "run", "light")
 * take their tag from the template, so a tagger must use context, not the word alone.
 */
public final class Synthetic {
    private static final String[] DET = {"the", "a", "this", "every", "that"};
    private static final String[] ADJ = {"small", "green", "quiet", "old", "bright", "light", "fast", "clever"};
    private static final String[] NOUN = {"dog", "teacher", "city", "book", "river", "light", "run", "garden", "machine", "letter"};
    private static final String[] PROPN = {"Anna", "Berlin", "Lisbon", "Kofi", "Mei", "Paris", "Tokyo"};
    private static final String[] VERB_T = {"sees", "likes", "builds", "reads", "finds", "paints"};
    private static final String[] VERB_I = {"sleeps", "runs", "waits", "smiles", "arrives"};
    private static final String[] VERB_BASE = {"book", "run", "light", "read", "visit"};
    private static final String[] ADP = {"in", "near", "behind", "with", "under"};
    private static final String[] ADV = {"quickly", "often", "never", "today", "slowly"};
    private static final String[] PRON = {"she", "he", "they", "we", "it"};
    private static final String[] AUX = {"will", "can", "must"};

    private Synthetic() {}

    /** {@code n} sentences from a seeded generator; {@code lang} is recorded on each sentence. */
    public static List<Sentence> posCorpus(int n, long seed, String lang) {
        Random r = new Random(seed);
        List<Sentence> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<String> w = new ArrayList<>(), t = new ArrayList<>();
            switch (r.nextInt(5)) {
                case 0 -> { np(r, w, t); add(w, t, pick(r, VERB_T), "VERB"); np(r, w, t); }
                case 1 -> { add(w, t, pick(r, PROPN), "PROPN"); add(w, t, pick(r, VERB_I), "VERB");
                            add(w, t, pick(r, ADP), "ADP"); np(r, w, t); }
                case 2 -> { add(w, t, pick(r, PRON), "PRON"); add(w, t, pick(r, AUX), "AUX");
                            add(w, t, pick(r, VERB_BASE), "VERB"); np(r, w, t); }
                case 3 -> { np(r, w, t); add(w, t, pick(r, VERB_I), "VERB"); add(w, t, pick(r, ADV), "ADV"); }
                default -> { add(w, t, pick(r, PRON), "PRON"); add(w, t, pick(r, VERB_T), "VERB");
                             add(w, t, pick(r, PROPN), "PROPN"); add(w, t, pick(r, ADP), "ADP"); np(r, w, t); }
            }
            add(w, t, r.nextInt(4) == 0 ? "!" : ".", "PUNCT");
            w.set(0, Character.toUpperCase(w.get(0).charAt(0)) + w.get(0).substring(1));
            out.add(new Sentence(List.copyOf(w), List.copyOf(t), lang, "synthetic:" + seed + ":" + (i + 1)));
        }
        return out;
    }

    /** CoNLL-U text of sentences (ID, FORM, UPOS; other columns "_"), readable by {@link DataReaders}. */
    public static String toConllu(List<Sentence> sentences) {
        StringBuilder b = new StringBuilder();
        for (Sentence s : sentences) {
            b.append("# text = ").append(String.join(" ", s.words())).append('\n');
            for (int i = 0; i < s.words().size(); i++)
                b.append(i + 1).append('\t').append(s.words().get(i)).append("\t_\t").append(s.labels().get(i))
                        .append("\t_\t_\t_\t_\t_\t_\n");
            b.append('\n');
        }
        return b.toString();
    }

    private static void np(Random r, List<String> w, List<String> t) {
        add(w, t, pick(r, DET), "DET");
        if (r.nextBoolean()) add(w, t, pick(r, ADJ), "ADJ");
        add(w, t, pick(r, NOUN), "NOUN");
    }

    private static void add(List<String> w, List<String> t, String word, String tag) { w.add(word); t.add(tag); }

    private static String pick(Random r, String[] a) { return a[r.nextInt(a.length)]; }
}
