package headlens.convert;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Real multilingual text from ../shared (xSID utterances and WikiANN sentences) for the tests tagged "slow", which fail
 * when it is absent; and the tokenizer files committed under src/test/resources/headlens/tokenize/fixtures.
 */
final class SharedText {
    private SharedText() {}

    static Path shared() {
        Path s = Path.of(System.getProperty("headlens.shared", "../shared"));
        if (!Files.isDirectory(s.resolve("assets")) || !Files.isDirectory(s.resolve("data")))
            throw new IllegalStateException("this test needs ../shared (system property headlens.shared): " + s.toAbsolutePath());
        return s;
    }

    /** A committed tokenizer file (the SentencePiece fixture models, mBERT's vocab.txt; see the SOURCE.md beside them). */
    static Path fixture(String name) {
        java.net.URL u = SharedText.class.getResource("/headlens/tokenize/fixtures/" + name);
        if (u == null) throw new IllegalStateException("test resource missing: /headlens/tokenize/fixtures/" + name);
        try {
            return Path.of(u.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path assets() { return shared().resolve("assets"); }

    /** The raw "# text = " lines of every xSID test file (19 languages), in folder order. */
    static List<String> xsidTest() throws IOException {
        List<Path> langs;
        try (Stream<Path> s = Files.list(shared().resolve("data/slot"))) {
            langs = s.filter(p -> Files.isRegularFile(p.resolve("test.conll"))).sorted().toList();
        }
        List<String> out = new ArrayList<>();
        for (Path l : langs)
            for (String line : Files.readAllLines(l.resolve("test.conll"), StandardCharsets.UTF_8))
                if (line.startsWith("# text = ")) out.add(line.substring(9));
        return out;
    }

    /**
     * The first {@code max} WikiANN dev sentences of a language, tokens joined by {@code sep} (a space, or nothing for the
     * character-tokenised zh/ja), without the {@code xx:} language prefix some copies carry.
     */
    static List<String> wikiann(String lang, String sep, int max) throws IOException {
        List<String> out = new ArrayList<>();
        StringBuilder sb = new StringBuilder();
        for (String line : Files.readAllLines(shared().resolve("data/ner/" + lang + "/dev.tsv"), StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                if (sb.length() > 0) out.add(sb.toString());
                sb.setLength(0);
                if (out.size() == max) break;
                continue;
            }
            String tok = line.split("\t")[0];
            if (tok.startsWith(lang + ":")) tok = tok.substring(lang.length() + 1);
            if (sb.length() > 0) sb.append(sep);
            sb.append(tok);
        }
        if (sb.length() > 0 && out.size() < max) out.add(sb.toString());
        return out;
    }

    /** xSID test plus 500 WikiANN dev sentences each of de, hi, tr, zh and ja. */
    static List<String> multilingual() throws IOException {
        List<String> all = new ArrayList<>(xsidTest());
        for (String l : List.of("de", "hi", "tr")) all.addAll(wikiann(l, " ", 500));
        for (String l : List.of("zh", "ja")) all.addAll(wikiann(l, "", 500));
        return all;
    }
}
