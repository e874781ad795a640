package headlens.data;

import java.nio.charset.Charset;

/**
 * How to read a data file.
 *
 * @param lang         language to tag every sentence with; null = infer (WikiANN prefix, then the path)
 * @param xpos         CoNLL-U: use XPOS (column 5) instead of UPOS (column 4)
 * @param column       CoNLL columns: 0-based label column; -1 = the last column
 * @param charset      file encoding; null = UTF-8, falling back to Latin-1 when the bytes are not valid UTF-8
 * @param maxSentences keep only the first N sentences; 0 = all
 */
public record ReadOptions(String lang, boolean xpos, int column, Charset charset, int maxSentences) {
    public ReadOptions {
        if (maxSentences < 0) throw new IllegalArgumentException("maxSentences must be >= 0");
        if (column < -1) throw new IllegalArgumentException("column must be >= -1");
    }

    public static ReadOptions defaults() { return new ReadOptions(null, false, -1, null, 0); }

    public ReadOptions withLang(String l) { return new ReadOptions(l, xpos, column, charset, maxSentences); }

    public ReadOptions withXpos(boolean x) { return new ReadOptions(lang, x, column, charset, maxSentences); }

    public ReadOptions withColumn(int c) { return new ReadOptions(lang, xpos, c, charset, maxSentences); }

    public ReadOptions withCharset(Charset c) { return new ReadOptions(lang, xpos, column, c, maxSentences); }

    public ReadOptions withMaxSentences(int n) { return new ReadOptions(lang, xpos, column, charset, n); }
}
