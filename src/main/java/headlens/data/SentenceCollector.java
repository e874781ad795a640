package headlens.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Accumulates the rows of the current sentence and emits sentences until {@code maxSentences} is reached. */
final class SentenceCollector {
    private final Path file;
    private final String lang;
    private final int maxSentences;
    private final List<Sentence> sentences = new ArrayList<>();
    private final List<String> words = new ArrayList<>();
    private final List<String> labels = new ArrayList<>();
    private int startLine = -1;

    SentenceCollector(Path file, String lang, int maxSentences) {
        this.file = file;
        this.lang = lang;
        this.maxSentences = maxSentences;
    }

    void add(int lineIndex, String word, String label) {
        if (startLine < 0) startLine = lineIndex;
        words.add(word);
        if (label != null) labels.add(label);
    }

    /** Marks where the sentence starts when it begins with comments (CoNLL-U, xSID). */
    void startAt(int lineIndex) {
        if (startLine < 0) startLine = lineIndex;
    }

    /** Ends the current sentence (no-op when empty). */
    void flush() {
        if (!words.isEmpty()) sentences.add(new Sentence(words, labels, lang, TextFile.loc(file, startLine)));
        words.clear();
        labels.clear();
        startLine = -1;
    }

    /** Adds a complete sentence (line-aligned formats). */
    void addSentence(int lineIndex, List<String> w, List<String> l) {
        sentences.add(new Sentence(w, l, lang, TextFile.loc(file, lineIndex)));
    }

    boolean full() { return maxSentences > 0 && sentences.size() >= maxSentences; }

    List<Sentence> sentences() {
        return maxSentences > 0 && sentences.size() > maxSentences ? sentences.subList(0, maxSentences) : sentences;
    }
}
