package headlens.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Sentences read from one file.
 *
 * @param file      the file read (for a text/label pair: the text file)
 * @param format    the format used (never AUTO)
 * @param sentences the sentences, in file order
 * @param skipped   rows skipped with their reasons
 * @param relabeled labels rewritten by a known dataset fix (xSID {@code Orecurring_datetime -> O}, ...)
 */
public record Dataset(Path file, Format format, List<Sentence> sentences, SkipReport skipped, int relabeled) {
    public Dataset { sentences = List.copyOf(sentences); }

    public int size() { return sentences.size(); }

    public int tokenCount() { return sentences.stream().mapToInt(Sentence::size).sum(); }

    /** True when every sentence carries labels. */
    public boolean isLabeled() { return sentences.stream().allMatch(Sentence::isLabeled); }

    /** The distinct labels, sorted. */
    public Set<String> labels() {
        Set<String> out = new TreeSet<>();
        for (Sentence s : sentences) out.addAll(s.labels());
        return out;
    }

    public Set<String> languages() {
        Set<String> out = new TreeSet<>();
        for (Sentence s : sentences) out.add(s.lang());
        return out;
    }
}
