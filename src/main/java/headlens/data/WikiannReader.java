package headlens.data;

import headlens.core.HeadlensException;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code [xx:]token<TAB>tag} (WikiANN as released by Rahimi et al., and XTREME's prefix-free copies), or one token per line
 * for XTREME's unlabelled test files. The {@code xx:} prefix is stripped only when the file's first rows all carry the same
 * one, and then every row must carry it; it also gives the language.
 */
final class WikiannReader {
    private static final Pattern PREFIX = Pattern.compile("([a-z]{2,3}):.+");
    private static final int PREFIX_PROBE_ROWS = 20;

    private WikiannReader() {}

    static Dataset read(Path file, ReadOptions opts, String lang) {
        List<String> lines = TextFile.lines(file, opts.charset());
        String prefix = filePrefix(lines);
        String language = opts.lang() != null ? opts.lang() : prefix != null ? prefix : lang;
        Boolean labeled = null;
        SentenceCollector out = new SentenceCollector(file, language, opts.maxSentences());
        for (int i = 0; i < lines.size() && !out.full(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) { out.flush(); continue; }
            String[] cols = line.split("\t", -1);
            if (labeled == null) labeled = cols.length == 2;
            int expected = labeled ? 2 : 1;
            if (cols.length != expected)
                throw new HeadlensException(TextFile.loc(file, i) + ": expected " + (labeled ? "token<TAB>tag" : "one token")
                        + ", found " + cols.length + " tab-separated field(s)");
            String token = cols[0];
            if (prefix != null) {
                if (!token.startsWith(prefix + ":") || token.length() == prefix.length() + 1)
                    throw new HeadlensException(TextFile.loc(file, i) + ": token '" + token + "' lacks the file's '" + prefix + ":' prefix");
                token = token.substring(prefix.length() + 1);
            }
            if (token.isEmpty() || (labeled && cols[1].isEmpty()))
                throw new HeadlensException(TextFile.loc(file, i) + ": empty token or tag");
            out.add(i, token, labeled ? cols[1] : null);
        }
        out.flush();
        return new Dataset(file, Format.WIKIANN, out.sentences(), SkipReport.none(), 0);
    }

    /**
     * The {@code xx} prefix of the first row when at least two thirds of the first rows carry it (so that one stray
     * unprefixed row is reported as an error rather than turning prefix stripping off), else null.
     */
    static String filePrefix(List<String> lines) {
        String prefix = null;
        int seen = 0, same = 0;
        for (String line : lines) {
            if (line.isBlank()) continue;
            Matcher m = PREFIX.matcher(line.split("\t", 2)[0]);
            if (seen == 0) {
                if (!m.matches()) return null;
                prefix = m.group(1);
            }
            seen++;
            if (m.matches() && m.group(1).equals(prefix)) same++;
            if (seen >= PREFIX_PROBE_ROWS) break;
        }
        return prefix != null && 3 * same >= 2 * seen ? prefix : null;
    }
}
