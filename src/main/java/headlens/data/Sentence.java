package headlens.data;

import java.util.List;

/**
 * One labelled (or unlabelled) sentence.
 *
 * @param words  the words, as split in the source file
 * @param labels one label per word, or empty for unlabelled data (e.g. WikiANN's XTREME test files)
 * @param lang   language code (never null; "und" when unknown)
 * @param source where the sentence starts, as {@code file:line}
 */
public record Sentence(List<String> words, List<String> labels, String lang, String source) {
    public Sentence {
        words = List.copyOf(words);
        labels = List.copyOf(labels);
        if (!labels.isEmpty() && labels.size() != words.size())
            throw new IllegalArgumentException(source + ": " + words.size() + " words but " + labels.size() + " labels");
    }

    public boolean isLabeled() { return !labels.isEmpty() || words.isEmpty(); }

    public int size() { return words.size(); }
}
