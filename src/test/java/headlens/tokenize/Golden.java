package headlens.tokenize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * The golden reference encodings: a sample committed under {@code src/test/resources/headlens/tokenize} (689 lines, with the
 * tokenizer files they were made with; see its SOURCE.md), which the default suite checks, and the full sets in ../shared,
 * which tests tagged "slow" check (they fail, not skip, when ../shared is absent).
 */
final class Golden {
    private Golden() {}

    static final String RESOURCES = "/headlens/tokenize/";

    static Path shared() {
        Path s = Path.of(System.getProperty("headlens.shared", "../shared"));
        if (!Files.isDirectory(s.resolve("assets/golden")))
            throw new IllegalStateException("this test needs ../shared (system property headlens.shared): " + s.toAbsolutePath());
        return s;
    }

    static Path assets() { return shared().resolve("assets"); }

    /** A committed tokenizer file ({@code fixtures/}): the three SentencePiece models and mBERT's vocab.txt. */
    static Path fixture(String name) {
        URL u = Golden.class.getResource(RESOURCES + "fixtures/" + name);
        if (u == null) throw new IllegalStateException("test resource missing: " + RESOURCES + "fixtures/" + name);
        try {
            return Path.of(u.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The committed sample's lines for one tokenizer ({@code golden/<name>.sample.jsonl.gz}). */
    static List<Line> sample(String name) throws IOException {
        try (InputStream in = Golden.class.getResourceAsStream(RESOURCES + "golden/" + name + ".sample.jsonl.gz")) {
            if (in == null) throw new IllegalStateException("test resource missing: golden/" + name + ".sample.jsonl.gz");
            return read(in);
        }
    }

    /** One reference line: text plus ids, tokens (or pieces) and [start, end) offsets in UTF-16 units (null when absent). */
    record Line(String lang, int n, String text, int[] ids, String[] tokens, int[][] offsets) {}

    /** A full golden file of ../shared/assets/golden. */
    static List<Line> read(String file) throws IOException {
        try (InputStream in = Files.newInputStream(assets().resolve("golden").resolve(file))) {
            return read(in);
        }
    }

    private static List<Line> read(InputStream gz) throws IOException {
        ObjectMapper om = new ObjectMapper();
        List<Line> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(gz), StandardCharsets.UTF_8))) {
            String l;
            while ((l = r.readLine()) != null) {
                JsonNode o = om.readTree(l);
                String text = o.get("text").asText();
                JsonNode ids = o.get("ids");
                JsonNode toks = o.has("tokens") ? o.get("tokens") : o.get("pieces");
                int[] id = new int[ids.size()];
                String[] tk = new String[ids.size()];
                for (int i = 0; i < id.length; i++) { id[i] = ids.get(i).asInt(); tk[i] = toks.get(i).asText(); }
                int[][] offs = null;
                if (o.has("offsets")) {
                    JsonNode of = o.get("offsets");
                    offs = new int[of.size()][];
                    for (int i = 0; i < offs.length; i++) {
                        // the reference counts code points; Encoding counts UTF-16 units
                        int s = of.get(i).get(0).asInt(), e = of.get(i).get(1).asInt();
                        offs[i] = new int[] {text.offsetByCodePoints(0, s), text.offsetByCodePoints(0, e)};
                    }
                }
                out.add(new Line(o.get("lang").asText(), o.get("n").asInt(), text, id, tk, offs));
            }
        }
        return out;
    }
}
