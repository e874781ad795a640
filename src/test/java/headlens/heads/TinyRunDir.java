package headlens.heads;

import com.fasterxml.jackson.databind.node.ObjectNode;
import headlens.model.EncoderConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** A RUN_DIR for CLI tests: the briefly trained tiny tagger, id2label (O, B-PER, I-PER), a 120-entry vocab.txt, WikiANN-style data. */
final class TinyRunDir {
    static final List<String> LABELS = List.of("O", "B-PER", "I-PER");

    static List<String> vocab() {
        List<String> v = new ArrayList<>(List.of("[CLS]", "[PAD]", "[SEP]", "[UNK]", "[MASK]"));
        for (char a = 'a'; v.size() < 120; a++)
            for (char b = 'a'; b <= 'z' && v.size() < 120; b++) v.add("" + a + b);
        return v;
    }

    static Path create(Path dir) throws IOException {
        EncoderConfig base = TinyTagger.config();
        ObjectNode raw = base.toJson();
        ObjectNode id2 = raw.putObject("id2label");
        for (int i = 0; i < LABELS.size(); i++) id2.put(String.valueOf(i), LABELS.get(i));
        EncoderConfig cfg = EncoderConfig.fromJson(raw, "tiny");
        Path vocab = Files.createDirectories(dir.resolveSibling(dir.getFileName() + "-tok")).resolve("vocab.txt");
        Files.writeString(vocab, String.join("\n", vocab()) + "\n");
        ModelDirs.write(dir, cfg, TinyTagger.trainedWeights(), List.of(vocab), HeadMask.NONE);
        return dir;
    }

    /** WikiANN-format file: xx:word TAB tag, label from the same rule as {@link TinyTagger}, PER spans. */
    static Path data(Path file, String lang, int sentences, long seed) throws IOException {
        Random r = new Random(seed);
        List<String> v = vocab();
        StringBuilder sb = new StringBuilder();
        for (int s = 0; s < sentences; s++) {
            int n = 2 + r.nextInt(8);
            int prev = -1;
            for (int j = 0; j < n; j++) {
                int id = 5 + r.nextInt(115);
                int y = prev < 0 ? 0 : (id + prev) % 3;
                String tag = y == 0 ? "O" : y == 1 ? "B-PER" : (prev >= 0 ? "I-PER" : "B-PER");
                sb.append(lang).append(':').append(v.get(id)).append('\t').append(tag).append('\n');
                prev = id;
            }
            sb.append('\n');
        }
        Files.writeString(file, sb.toString());
        return file;
    }
}
