package headlens.data;

import headlens.core.HeadlensException;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * MultiATIS++ TSV: header {@code id<TAB>utterance<TAB>slot_labels<TAB>intent}, then one utterance per row with space-separated
 * tokens and labels. Rows whose token and label counts differ are skipped and reported.
 */
final class MultiAtisReader {
    static final String HEADER = "id\tutterance\tslot_labels\tintent";

    private MultiAtisReader() {}

    static Dataset read(Path file, ReadOptions opts, String lang) {
        List<String> lines = TextFile.lines(file, opts.charset());
        if (lines.isEmpty() || !lines.get(0).strip().equals(HEADER))
            throw new HeadlensException(TextFile.loc(file, 0) + ": expected the MultiATIS++ header '"
                    + HEADER.replace("\t", "<TAB>") + "'");
        SentenceCollector out = new SentenceCollector(file, lang, opts.maxSentences());
        SkipReport.Log skipped = new SkipReport.Log();
        for (int i = 1; i < lines.size() && !out.full(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) continue;
            String[] cols = line.split("\t", -1);
            if (cols.length != 4)
                throw new HeadlensException(TextFile.loc(file, i) + ": expected 4 tab-separated fields "
                        + "(id, utterance, slot_labels, intent), found " + cols.length);
            List<String> words = split(cols[1]);
            List<String> tags = split(cols[2]);
            if (words.isEmpty() || words.size() != tags.size()) {
                skipped.skip(TextFile.loc(file, i), words.size() + " tokens but " + tags.size() + " slot labels");
                continue;
            }
            out.addSentence(i, words, tags);
        }
        return new Dataset(file, Format.MULTIATIS, out.sentences(), skipped.report(), 0);
    }

    private static List<String> split(String s) {
        String t = s.strip();
        return t.isEmpty() ? List.of() : Arrays.asList(t.split(" +"));
    }
}
