package headlens.cli;

import headlens.core.HeadlensException;
import headlens.data.DataReaders;
import headlens.data.Dataset;
import headlens.data.Sentence;
import headlens.eval.Report;
import headlens.eval.Scheme;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code headlens score GOLD PRED}: scores a prediction file against a gold file of the same format and words. */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = "Score predicted labels against gold labels: token accuracy (pos) or entity P/R/F1 (ner, slot).")
public final class ScoreCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "GOLD") Path gold;

    @Parameters(index = "1", paramLabel = "PRED", description = "predictions, same format and words as GOLD")
    Path pred;

    @Option(names = "--task", defaultValue = "ner", description = "pos (accuracy), ner or slot (entity F1); default ${DEFAULT-VALUE}")
    String task;

    @Option(names = "--strict", paramLabel = "SCHEME", description = "strict entity matching for iob1, iob2, ioe1, ioe2, iobes")
    String strict;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the report as JSON")
    Path json;

    @Mixin
    DataOptions options;

    @Override
    public Integer call() {
        Dataset g = DataReaders.read(gold, options.format(), options.readOptions());
        Dataset p = DataReaders.read(pred, options.format(), options.readOptions());
        if (g.size() != p.size())
            throw new HeadlensException(pred + ": " + p.size() + " sentences but " + gold + " has " + g.size());
        List<List<String>> predictions = new ArrayList<>();
        for (int i = 0; i < g.size(); i++) {
            Sentence gs = g.sentences().get(i), ps = p.sentences().get(i);
            if (!gs.words().equals(ps.words()))
                throw new HeadlensException(ps.source() + ": words differ from the gold sentence at " + gs.source());
            predictions.add(ps.labels());
        }
        Report.Kind kind = task.equalsIgnoreCase("pos") ? Report.Kind.TOKEN_ACCURACY : Report.Kind.ENTITY_F1;
        Report r = Report.evaluate(task, kind, strict == null ? null : Scheme.parse(strict), g.sentences(), predictions);
        System.out.print(r.toText());
        if (json != null) r.writeJson(json);
        return 0;
    }
}
