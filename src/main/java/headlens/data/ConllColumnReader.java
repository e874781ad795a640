package headlens.data;

import headlens.core.HeadlensException;

import java.nio.file.Path;
import java.util.List;

/** CoNLL-2002/2003 whitespace-separated columns: token in column 0, label in a chosen column; {@code -DOCSTART-} ends a sentence. */
final class ConllColumnReader {
    private ConllColumnReader() {}

    static Dataset read(Path file, ReadOptions opts, String lang) {
        List<String> lines = TextFile.lines(file, opts.charset());
        SentenceCollector out = new SentenceCollector(file, lang, opts.maxSentences());
        for (int i = 0; i < lines.size() && !out.full(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) { out.flush(); continue; }
            String[] cols = line.split("\\s+");
            if (cols[0].equals("-DOCSTART-")) { out.flush(); continue; }
            int c = opts.column() < 0 ? cols.length - 1 : opts.column();
            if (cols.length < 2 || c >= cols.length || c == 0)
                throw new HeadlensException(TextFile.loc(file, i) + ": expected a token and a label in column " + c
                        + " (0-based), found " + cols.length + " column(s)");
            out.add(i, cols[0], cols[c]);
        }
        out.flush();
        return new Dataset(file, Format.CONLL, out.sentences(), SkipReport.none(), 0);
    }
}
