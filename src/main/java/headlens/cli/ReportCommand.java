package headlens.cli;

import headlens.core.HeadlensException;
import headlens.report.PairedBootstrap;
import headlens.report.ReportWriter;
import headlens.report.Runs;
import headlens.sweep.SweepConfig;
import headlens.sweep.SweepPlan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code headlens report}: the paper's tables, paired-bootstrap intervals, heatmaps and k-curves from a set of result files. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Turn result files (headlens-result/1, benchmarks/paper/SCHEMA.md) and heads files under --runs into "
                + "OUT/report.md and one self-contained OUT/report.html: Tables 2-4 of Ma et al. (2021) side by side with ours, "
                + "each trial's difference to k = 0 with a 95%% paired-bootstrap interval, both selection rules, head-importance "
                + "heatmaps, k-curves and Spearman matrices. Works on partly finished runs (missing cells are listed).")
public final class ReportCommand implements Callable<Integer> {
    @Option(names = "--runs", description = "Directory searched (recursively) for result and heads files.")
    Path runs;
    @Option(names = "--sweep", description = "Also read a `headlens sweep` output directory as TASK:SOURCE:DIR "
            + "(e.g. pos:en:benchmarks/heads/ewt-pos-minilm); its trial files have no per-sentence statistics, so no intervals.")
    List<String> sweeps = List.of();
    @Option(names = "--to", required = true, description = "Output directory for report.md and report.html.")
    Path to;
    @Option(names = "--title", description = "Heading of both files (default: \"Head pruning, cross- and multi-lingual: report\").")
    String title;
    @Option(names = "--resamples", defaultValue = "" + PairedBootstrap.DEFAULT_RESAMPLES,
            description = "Bootstrap resamples per interval (default: ${DEFAULT-VALUE}).")
    int resamples;
    @Option(names = "--seed", defaultValue = "" + PairedBootstrap.DEFAULT_SEED, description = "Bootstrap seed (default: ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--expect", arity = "1..*", description = "Sweep configs whose units should be in the report: the units "
            + "without a result file under the config's output are listed under 'Missing cells', grids not started included.")
    List<Path> expect = List.of();

    @Override
    public Integer call() {
        if (runs == null && sweeps.isEmpty()) throw new HeadlensException("give --runs DIR and/or --sweep TASK:SOURCE:DIR");
        if (resamples < 100 || resamples > 1_000_000) throw new HeadlensException("--resamples must be in 100..1000000, got " + resamples);
        Runs all = runs == null ? new Runs(new java.util.LinkedHashMap<>(), List.of()) : Runs.scan(runs);
        for (String s : sweeps) all = all.plus(Runs.sweep(s));
        if (all.results().isEmpty()) throw new HeadlensException((runs == null ? "--sweep" : runs.toString()) + ": no result files found");
        ReportWriter.write(all, to, resamples, seed, title, notRun(expect));
        System.err.println("wrote " + to.resolve("report.md") + " and " + to.resolve("report.html")
                + " (" + all.results().size() + " result files, " + all.heads().size() + " heads files)");
        return 0;
    }

    /** One line per expected grid with units that have no result file yet. */
    static List<String> notRun(List<Path> configs) {
        List<String> out = new java.util.ArrayList<>();
        for (Path c : configs) {
            SweepConfig cfg = SweepConfig.read(c);
            List<SweepPlan.Unit> units = SweepPlan.of(cfg).units();
            List<String> missing = units.stream().filter(u -> !Files.isRegularFile(u.file(Path.of(cfg.output())))).map(SweepPlan.Unit::id).toList();
            if (missing.isEmpty()) continue;
            out.add(cfg.name() + " (" + c + "): " + (missing.size() == units.size() ? "none of its " + units.size() + " units has run"
                    : missing.size() + " of " + units.size() + " units not run: " + String.join(", ", missing)));
        }
        return out;
    }
}
