package headlens.tokenize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Access to ../shared (skips the test when absent) and the golden reference encodings. */
final class Golden {
    private Golden() {}

    static Path shared() {
        String p = System.getProperty("headlens.shared", "../shared");
        Path s = Path.of(p);
        Assumptions.assumeTrue(Files.isDirectory(s.resolve("assets/golden")), "shared assets absent: " + s.toAbsolutePath());
        return s;
    }

    static Path assets() { return shared().resolve("assets"); }

    /** One reference line: text plus ids, tokens (or pieces) and [start, end) offsets in UTF-16 units (null when absent). */
    record Line(String lang, int n, String text, int[] ids, String[] tokens, int[][] offsets) {}

    static List<Line> read(String file) throws IOException {
        Path f = assets().resolve("golden").resolve(file);
        ObjectMapper om = new ObjectMapper();
        List<Line> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(f)), StandardCharsets.UTF_8))) {
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
