package headlens.sweep;

import headlens.testing.TinyRunDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A tiny sweep for tests and for benchmarks/slurm: the tiny golden encoder as the pretrained model, synthetic
 * WikiANN-style en/de data, and configs that differ only in name, output and work.
 *
 * <pre>
 *   java -cp TEST_CLASSPATH headlens.sweep.SweepFixture data DIR          # model and data under DIR
 *   java -cp TEST_CLASSPATH headlens.sweep.SweepFixture config DIR NAME K  # DIR/NAME.yaml, k_max K
 *   java -cp TEST_CLASSPATH headlens.sweep.SweepFixture compare OUT_A OUT_B   # exit 1 unless the results agree
 * </pre>
 */
public final class SweepFixture {
    private SweepFixture() {}

    public static void data(Path dir) throws Exception {
        TinyRunDir.createPretrained(dir.resolve("pretrained"));
        TinyRunDir.data(dir.resolve("en-train.tsv"), "en", 40, 3);
        TinyRunDir.data(dir.resolve("en-dev.tsv"), "en", 16, 4);
        TinyRunDir.data(dir.resolve("de-dev.tsv"), "de", 16, 5);
        TinyRunDir.data(dir.resolve("de-test.tsv"), "de", 16, 6);
    }

    /** Trials lowest k = 1..kMax and random at the even k; iterative pruning for two rounds. */
    public static Path config(Path dir, String name, int kMax) throws Exception {
        List<String> controlK = new ArrayList<>();
        for (int k = 2; k <= kMax; k += 2) controlK.add(String.valueOf(k));
        Path yaml = dir.resolve(name + ".yaml");
        Files.writeString(yaml, String.join("\n",
                "name: tiny-" + name,
                "model: " + dir.resolve("pretrained"),
                "output: " + dir.resolve(name + "/out"),
                "work: " + dir.resolve(name + "/work"),
                "train: [{file: " + dir.resolve("en-train.tsv") + "}]",
                "source_dev: [{file: " + dir.resolve("en-dev.tsv") + "}]",
                "targets:",
                "  en: {dev: " + dir.resolve("en-dev.tsv") + "}",
                "  de: {dev: " + dir.resolve("de-dev.tsv") + ", test: " + dir.resolve("de-test.tsv") + "}",
                "training: {lr: 3.0e-3, epochs: 2, batch_size: 8, max_length: 32, seed: 3}",
                "k_max: " + kMax,
                "controls: [random]",
                "control_k: [" + String.join(", ", controlK) + "]",
                "mode: both",
                "iterative: {fraction: 0.25, threshold: 0.5, max_rounds: 2}",
                ""));
        return yaml;
    }

    public static void main(String[] args) throws Exception {
        switch (args.length > 0 ? args[0] : "") {
            case "data" -> data(Path.of(args[1]));
            case "config" -> System.out.println(config(Path.of(args[1]), args[2], Integer.parseInt(args[3])));
            case "compare" -> {
                try {
                    SweepDistributedTest.assertSameResults(Path.of(args[1]), Path.of(args[2]));
                } catch (AssertionError e) {
                    System.err.println("DIFFERENT: " + e.getMessage());
                    System.exit(1);
                }
                System.out.println("same results (timings aside): " + args[1] + " and " + args[2]);
            }
            default -> {
                System.err.println("usage: SweepFixture data DIR | config DIR NAME K_MAX | compare OUT_A OUT_B");
                System.exit(2);
            }
        }
    }
}
