package headlens.tokenize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Raw text and the dataset's own word split: the committed sample, or all xSID test utterances of ../shared/data/slot. */
final class Corpus {
    private Corpus() {}

    record Utterance(String lang, String text, List<String> words) {}

    /** The 689 lines of {@code src/test/resources/headlens/tokenize/golden/corpus.jsonl} (xSID and UD, CC BY-SA). */
    static List<Utterance> sample() throws IOException {
        List<Utterance> out = new ArrayList<>();
        ObjectMapper om = new ObjectMapper();
        try (InputStream in = Corpus.class.getResourceAsStream(Golden.RESOURCES + "golden/corpus.jsonl")) {
            if (in == null) throw new IllegalStateException("test resource missing: golden/corpus.jsonl");
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank()) continue;
                JsonNode o = om.readTree(line);
                List<String> words = new ArrayList<>();
                o.get("words").forEach(w -> words.add(w.asText()));
                out.add(new Utterance(o.get("lang").asText(), o.get("text").asText(), words));
            }
        }
        return out;
    }

    static List<Utterance> xsidTest() throws IOException {
        Path slot = Golden.shared().resolve("data/slot");
        List<Path> langs;
        try (Stream<Path> s = Files.list(slot)) {
            langs = s.filter(p -> Files.isRegularFile(p.resolve("test.conll"))).sorted().toList();
        }
        List<Utterance> out = new ArrayList<>();
        for (Path lang : langs) {
            String text = null;
            List<String> words = new ArrayList<>();
            for (String line : Files.readAllLines(lang.resolve("test.conll"))) {
                if (line.startsWith("# text = ")) text = line.substring(9);
                else if (line.isBlank()) {
                    if (text != null) out.add(new Utterance(lang.getFileName().toString(), text, words));
                    text = null;
                    words = new ArrayList<>();
                } else if (!line.startsWith("#")) {
                    String[] cols = line.split("\t");
                    if (cols.length > 1) words.add(cols[1]);
                }
            }
            if (text != null) out.add(new Utterance(lang.getFileName().toString(), text, words));
        }
        return out;
    }
}
