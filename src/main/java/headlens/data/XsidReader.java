package headlens.data;

import headlens.core.HeadlensException;

import java.nio.file.Path;
import java.util.List;

/** xSID conll-like files: comment lines, then {@code index<TAB>token<TAB>intent<TAB>slot} per token. */
final class XsidReader {
    private XsidReader() {}

    static Dataset read(Path file, ReadOptions opts, String lang) {
        List<String> lines = TextFile.lines(file, opts.charset());
        SentenceCollector out = new SentenceCollector(file, lang, opts.maxSentences());
        int relabeled = 0;
        for (int i = 0; i < lines.size() && !out.full(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) { out.flush(); continue; }
            if (line.startsWith("#")) { out.startAt(i); continue; }
            String[] cols = line.split("\t", -1);
            if (cols.length != 4)
                throw new HeadlensException(TextFile.loc(file, i) + ": expected 4 tab-separated xSID columns"
                        + " (index, token, intent, slot), found " + cols.length);
            // empty tokens occur in the released files (8 in zh/no dev/test) and are kept: they are scored words
            if (cols[3].isEmpty()) throw new HeadlensException(TextFile.loc(file, i) + ": empty slot label");
            String label = XsidLabels.fix(cols[3]);
            if (!label.equals(cols[3])) relabeled++;
            out.add(i, cols[1], label);
        }
        out.flush();
        return new Dataset(file, Format.XSID, out.sentences(), SkipReport.none(), relabeled);
    }
}
