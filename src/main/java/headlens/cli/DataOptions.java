package headlens.cli;

import headlens.core.HeadlensException;
import headlens.data.Format;
import headlens.data.ReadOptions;
import picocli.CommandLine.Option;

import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.UnsupportedCharsetException;

/** Data-reading options shared by the commands that read token-classification files (a picocli mixin). */
public final class DataOptions {
    @Option(names = "--format", defaultValue = "auto",
            description = "auto, conllu, conll, wikiann, xsid, xsid-pair, multiatis (default: ${DEFAULT-VALUE})")
    String format;

    @Option(names = "--lang", description = "language of every sentence (default: WikiANN prefix, else the <task>/<lang>/ folder)")
    String lang;

    @Option(names = "--xpos", description = "CoNLL-U: use XPOS instead of UPOS")
    boolean xpos;

    @Option(names = "--column", defaultValue = "-1", description = "CoNLL columns: 0-based label column, -1 = last")
    int column;

    @Option(names = "--encoding", description = "file encoding (default: UTF-8, Latin-1 when not valid UTF-8)")
    String encoding;

    @Option(names = "--max-sentences", defaultValue = "0", description = "read only the first N sentences (0 = all)")
    int maxSentences;

    public Format format() { return Format.parse(format); }

    public ReadOptions readOptions() {
        if (maxSentences < 0) throw new HeadlensException("--max-sentences must be >= 0, got " + maxSentences);
        if (column < -1) throw new HeadlensException("--column must be >= -1, got " + column);
        Charset cs = null;
        if (encoding != null) {
            try {
                cs = Charset.forName(encoding);
            } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
                throw new HeadlensException("--encoding: unknown charset '" + encoding + "'");
            }
        }
        return new ReadOptions(lang, xpos, column, cs, maxSentences);
    }
}
