package headlens.data;

import headlens.core.HeadlensException;

import java.nio.file.Path;
import java.util.List;

/** CoNLL-U: one tag (UPOS, or XPOS on request) per syntactic word; multiword ranges {@code n-m} and empty nodes {@code n.m} skipped. */
final class ConlluReader {
    private ConlluReader() {}

    static Dataset read(Path file, ReadOptions opts, String lang) {
        List<String> lines = TextFile.lines(file, opts.charset());
        SentenceCollector out = new SentenceCollector(file, lang, opts.maxSentences());
        int tagColumn = opts.xpos() ? 4 : 3;
        for (int i = 0; i < lines.size() && !out.full(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) { out.flush(); continue; }
            if (line.startsWith("#")) { out.startAt(i); continue; }
            String[] cols = line.split("\t", -1);
            if (cols.length != 10)
                throw new HeadlensException(TextFile.loc(file, i) + ": expected 10 tab-separated CoNLL-U columns, found " + cols.length);
            String id = cols[0];
            if (id.indexOf('-') > 0 || id.indexOf('.') > 0) continue; // multiword range or empty node
            if (!isPositiveInt(id))
                throw new HeadlensException(TextFile.loc(file, i) + ": bad CoNLL-U ID '" + id + "'");
            if (cols[1].isEmpty() || cols[tagColumn].isEmpty())
                throw new HeadlensException(TextFile.loc(file, i) + ": empty FORM or " + (opts.xpos() ? "XPOS" : "UPOS"));
            out.add(i, cols[1], cols[tagColumn]);
        }
        out.flush();
        return new Dataset(file, Format.CONLLU, out.sentences(), SkipReport.none(), 0);
    }

    private static boolean isPositiveInt(String s) {
        if (s.isEmpty() || s.length() > 9) return false;
        for (int k = 0; k < s.length(); k++) if (!Character.isDigit(s.charAt(k))) return false;
        return Integer.parseInt(s) > 0;
    }
}
