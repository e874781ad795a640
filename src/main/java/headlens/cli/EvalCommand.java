package headlens.cli;

import headlens.data.Sentence;
import headlens.eval.Report;
import headlens.tagger.TaggerDir;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code headlens eval}: score a fine-tuned tagger on labelled files, overall and per language. */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Evaluate a RUN_DIR on labelled data: accuracy (POS) or entity precision/recall/F1 (NER, slots), "
                + "overall and per language (under 'languages').")
public final class EvalCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "RUN_DIR (a fine-tuned model directory).") Path model;
    @Option(names = "--data", required = true, arity = "1..*", description = "Labelled files.") List<String> data;
    @Option(names = "--output", description = "metrics.json to write (atomically).") Path output;
    @Option(names = "--languages", split = ",", description = "Keep only sentences of these languages.") List<String> languages;
    @Option(names = "--batch-size", defaultValue = "32") int batchSize;
    @Option(names = "--max-length", defaultValue = "256") int maxLength;
    @Option(names = "--stride", defaultValue = "32") int stride;
    @Option(names = "--max-sentences", defaultValue = "0", description = "First N sentences of each file (0 = all).") int maxSentences;

    @Override
    public Integer call() {
        Report r = evaluate(model, data, languages == null ? List.of() : languages, batchSize, stride, maxLength, maxSentences);
        if (output != null) r.writeJson(output);
        System.out.print(r.toText());
        return 0;
    }

    static Report evaluate(Path runDir, List<String> files, List<String> languages, int batchSize, int stride) {
        return evaluate(runDir, files, languages, batchSize, stride, 256, 0);
    }

    static Report evaluate(Path runDir, List<String> files, List<String> languages, int batchSize, int stride, int maxLength, int max) {
        TaggerDir m = TaggerDir.load(runDir);
        List<Sentence> gold = TrainCommand.read(files, max, languages, true);
        return m.tagger(maxLength, stride, batchSize).evaluate(gold);
    }
}
