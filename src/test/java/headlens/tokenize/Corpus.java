package headlens.tokenize;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The xSID test utterances of ../shared/data/slot: raw text and the dataset's own word split. */
final class Corpus {
    private Corpus() {}

    record Utterance(String lang, String text, List<String> words) {}

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
