package headlens.data;

import headlens.core.HeadlensException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** Entry point for reading token-classification data in any supported {@link Format}. */
public final class DataReaders {
    private static final int SNIFF_LINES = 200;
    private static final int SNIFF_BYTES = 64 * 1024;

    private DataReaders() {}

    public static Dataset read(Path file) { return read(file, Format.AUTO, ReadOptions.defaults()); }

    /** The sentences of one file (format detected), the first {@code maxSentences} of them (0 = all); none is an error. */
    public static List<Sentence> sentences(Path file, int maxSentences) {
        Dataset d = read(file, Format.AUTO, ReadOptions.defaults().withMaxSentences(maxSentences));
        if (d.sentences().isEmpty()) throw new HeadlensException(file + ": no sentences");
        return d.sentences();
    }

    /**
     * A seeded random subset of {@code n} items (all of them, unchanged, when {@code n} is not less than their number), in
     * the order of a {@link Collections#shuffle} with {@code new Random(seed)}: {@code train --sample-sentences} and
     * a sweep's {@code sample_sentences} draw the same subset from the same sentences and seed.
     */
    public static <T> List<T> sample(List<T> items, int n, long seed) {
        if (n >= items.size()) return items;
        List<T> shuffled = new ArrayList<>(items);
        Collections.shuffle(shuffled, new Random(seed));
        return List.copyOf(shuffled.subList(0, n));
    }

    public static Dataset read(Path file, Format format, ReadOptions opts) {
        Format f = format == Format.AUTO ? detect(file, opts) : format;
        String lang = opts.lang() != null ? opts.lang() : Languages.fromPath(file);
        return switch (f) {
            case CONLLU -> ConlluReader.read(file, opts, lang);
            case CONLL -> ConllColumnReader.read(file, opts, lang);
            case WIKIANN -> WikiannReader.read(file, opts, lang);
            case XSID -> XsidReader.read(file, opts, lang);
            case XSID_PAIR -> XsidPairReader.read(file, opts, lang);
            case MULTIATIS -> MultiAtisReader.read(file, opts, lang);
            case AUTO -> throw new IllegalStateException();
        };
    }

    /** Detects the format from the file name, then from the first rows. */
    public static Format detect(Path file, ReadOptions opts) {
        String name = file.getFileName().toString();
        if (name.endsWith(".conllu")) return Format.CONLLU;
        if (XsidPairReader.hasPair(file)) return Format.XSID_PAIR;
        List<String> lines = TextFile.head(file, opts.charset(), SNIFF_BYTES);
        boolean xsidComment = false;
        for (int i = 0; i < Math.min(lines.size(), SNIFF_LINES); i++) {
            String line = lines.get(i);
            if (i == 0 && line.strip().equals(MultiAtisReader.HEADER)) return Format.MULTIATIS;
            if (line.isBlank()) continue;
            if (line.startsWith("# intent") || line.startsWith("# text")) { xsidComment = true; continue; }
            if (line.startsWith("#")) continue;
            int tabs = line.split("\t", -1).length;
            if (tabs == 10) return Format.CONLLU;
            if (tabs == 4 && xsidComment) return Format.XSID;
            if (tabs == 1 || tabs == 2) {
                if (tabs == 1 && line.strip().split("\\s+").length >= 2) return Format.CONLL;
                return Format.WIKIANN;
            }
            break;
        }
        throw new HeadlensException(file + ": cannot detect the data format; pass --format "
                + "(conllu, conll, wikiann, xsid, xsid-pair, multiatis)");
    }
}
