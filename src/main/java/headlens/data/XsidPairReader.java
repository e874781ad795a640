package headlens.data;

import headlens.core.HeadlensException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * xSID's line-aligned training pair: {@code text} file (space-separated tokens) and {@code label} file
 * ({@code space-separated tags<TAB>intent}). Either file may be named; the other is found by swapping "text"/"label" in the
 * file name. Lines whose token and tag counts differ are skipped and reported.
 */
final class XsidPairReader {
    private XsidPairReader() {}

    static Dataset read(Path file, ReadOptions opts, String lang) {
        Path text = pairOf(file, true);
        Path labels = pairOf(file, false);
        List<String> textLines = TextFile.lines(text, opts.charset());
        List<String> labelLines = TextFile.lines(labels, opts.charset());
        if (textLines.size() != labelLines.size())
            throw new HeadlensException(text + " has " + textLines.size() + " lines but " + labels + " has "
                    + labelLines.size() + "; they must be line-aligned");
        SentenceCollector out = new SentenceCollector(text, lang, opts.maxSentences());
        SkipReport.Log skipped = new SkipReport.Log();
        int relabeled = 0;
        for (int i = 0; i < textLines.size() && !out.full(); i++) {
            String labelLine = labelLines.get(i);
            int tab = labelLine.lastIndexOf('\t');
            if (tab < 0)
                throw new HeadlensException(TextFile.loc(labels, i) + ": expected '<tags><TAB><intent>'");
            List<String> words = split(textLines.get(i));
            List<String> tags = split(labelLine.substring(0, tab));
            if (words.isEmpty() || words.size() != tags.size()) {
                skipped.skip(TextFile.loc(text, i), words.size() + " tokens but " + tags.size() + " tags");
                continue;
            }
            for (int k = 0; k < tags.size(); k++) {
                String fixed = XsidLabels.fix(tags.get(k));
                if (!fixed.equals(tags.get(k))) { tags.set(k, fixed); relabeled++; }
            }
            out.addSentence(i, words, tags);
        }
        return new Dataset(text, Format.XSID_PAIR, out.sentences(), skipped.report(), relabeled);
    }

    /** The text (or label) file of the pair that {@code file} belongs to. */
    static Path pairOf(Path file, boolean wantText) {
        String name = file.getFileName().toString();
        boolean isText = name.contains("text");
        if (!isText && !name.contains("label"))
            throw new HeadlensException(file + ": an xSID text/label pair needs 'text' or 'label' in the file name");
        if (isText == wantText) return file;
        String other = isText ? name.replaceFirst("text", "label") : name.replaceFirst("label", "text");
        Path p = file.resolveSibling(other);
        if (!Files.isRegularFile(p)) throw new HeadlensException(file + ": its pair file " + p + " does not exist");
        return p;
    }

    static boolean hasPair(Path file) {
        String name = file.getFileName().toString();
        if (name.contains("text")) return Files.isRegularFile(file.resolveSibling(name.replaceFirst("text", "label")));
        if (name.contains("label")) return Files.isRegularFile(file.resolveSibling(name.replaceFirst("label", "text")));
        return false;
    }

    private static List<String> split(String s) {
        String t = s.strip();
        return t.isEmpty() ? new java.util.ArrayList<>() : new java.util.ArrayList<>(Arrays.asList(t.split(" +")));
    }
}
