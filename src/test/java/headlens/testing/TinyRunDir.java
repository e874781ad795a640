package headlens.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import headlens.config.EncoderConfig;
import headlens.heads.TinyTagger;
import headlens.model.HeadMask;
import headlens.tagger.ModelDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A RUN_DIR for CLI and sweep tests: the briefly trained tiny tagger, id2label (O, B-PER, I-PER) and no headlens_task (so
 * its task is read off the labels), a 120-entry vocab.txt, WikiANN-style data.
 */
public final class TinyRunDir {
    public static final List<String> LABELS = List.of("O", "B-PER", "I-PER");

    public static List<String> vocab() {
        List<String> v = new ArrayList<>(List.of("[CLS]", "[PAD]", "[SEP]", "[UNK]", "[MASK]"));
        for (char a = 'a'; v.size() < 120; a++)
            for (char b = 'a'; b <= 'z' && v.size() < 120; b++) v.add("" + a + b);
        return v;
    }

    public static Path create(Path dir) throws IOException {
        EncoderConfig base = TinyTagger.config();
        ObjectNode raw = base.toJson();
        ObjectNode id2 = raw.putObject("id2label");
        for (int i = 0; i < LABELS.size(); i++) id2.put(String.valueOf(i), LABELS.get(i));
        EncoderConfig cfg = EncoderConfig.fromJson(raw, "tiny");
        ModelDir.write(dir, cfg, TinyTagger.trainedWeights(), List.of(vocabFile(dir)), HeadMask.NONE);
        return dir;
    }

    /** The tiny golden encoder as a pretrained model directory (no labels, no classifier). */
    public static Path createPretrained(Path dir) throws IOException {
        ModelDir.write(dir, TinyTagger.config(), TinyTagger.encoderWeights(), List.of(vocabFile(dir)), HeadMask.NONE);
        return dir;
    }

    private static Path vocabFile(Path dir) throws IOException {
        Path vocab = Files.createDirectories(dir.resolveSibling(dir.getFileName() + "-tok")).resolve("vocab.txt");
        Files.writeString(vocab, String.join("\n", vocab()) + "\n");
        return vocab;
    }

    /** WikiANN-format file: xx:word TAB tag, the tag a function of the word. */
    public static Path data(Path file, String lang, int sentences, long seed) throws IOException {
        Random r = new Random(seed);
        List<String> v = vocab();
        StringBuilder sb = new StringBuilder();
        for (int s = 0; s < sentences; s++) {
            int n = 2 + r.nextInt(8);
            int prev = -1;
            for (int j = 0; j < n; j++) {
                int id = 5 + r.nextInt(115);
                int y = id % 3;   // learnable from the word alone, so a few updates give non-trivial scores
                String tag = y == 0 ? "O" : y == 1 ? "B-PER" : "I-PER";
                sb.append(lang).append(':').append(v.get(id)).append('\t').append(tag).append('\n');
                prev = id;
            }
            sb.append('\n');
        }
        Files.writeString(file, sb.toString());
        return file;
    }
}
