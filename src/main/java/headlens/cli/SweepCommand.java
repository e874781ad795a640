package headlens.cli;

import headlens.heads.Sweep;
import headlens.heads.SweepConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code headlens sweep}: the paper's pruning trials (and Michel's iterative pruning) from a YAML experiment file. */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = "Fine-tune, rank heads on dev, then prune k = 1..k_max heads (lowest-ranked, plus highest/random controls), "
                + "fine-tune again with them masked and score every target language; resumable. See configs/experiments/.")
public final class SweepCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, description = "Experiment YAML (configs/experiments/NAME.yaml).")
    Path config;
    @Option(names = "--report-only", description = "Only rewrite the tables and plots from the trials finished so far.")
    boolean reportOnly;

    @Override
    public Integer call() {
        Sweep s = new Sweep(SweepConfig.read(config), System.err);
        if (reportOnly) s.reportOnly(); else s.run();
        return 0;
    }
}
