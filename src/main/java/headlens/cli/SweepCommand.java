package headlens.cli;

import headlens.core.HeadlensException;
import headlens.sweep.K8sEmitter;
import headlens.sweep.Resources;
import headlens.sweep.SlurmEmitter;
import headlens.sweep.Sweep;
import headlens.sweep.SweepConfig;
import headlens.sweep.SweepPlan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code headlens sweep}: the paper's pruning trials (and Michel's iterative pruning) from a YAML experiment file;
 * everything at once, or one unit of its plan at a time (for job arrays), merged at the end.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Fine-tune, rank heads on dev, then prune k = 1..k_max heads (lowest-ranked, plus highest/random controls), "
                + "fine-tune again with them masked and score every target language; resumable. See configs/sweeps/. "
                + "Every fine-tune also writes OUTPUT/results/ID.json (headlens-result/1: per-sentence statistics), so "
                + "`headlens report --runs OUTPUT` works on a finished or partly finished sweep. "
                + "Without an action: every unit of the plan in order, then --merge.")
public final class SweepCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, description = "Sweep YAML (configs/sweeps/NAME.yaml).")
    Path config;
    @Option(names = "--seed", paramLabel = "N", description = "A seed replicate of the sweep: fine-tune with seed N instead of "
            + "training.seed, into OUTPUT-seedN and WORK-seedN (name NAME-seedN); its trials mask the heads the sweep's own "
            + "OUTPUT/heads.json ranks (run the sweep's heads unit first), so they differ from the sweep's in fine-tuning "
            + "randomness only. Goes with every action; `headlens report` sets the seeds side by side.")
    Long seed;
    @Option(names = "--plan", description = "Print the units of work, one JSON object per line (id, kind, index, runs, depends_on, result).")
    boolean plan;
    @Option(names = "--trial", paramLabel = "ID", description = "Run this unit of the plan (repeatable; skipped when done).")
    List<String> trials = new ArrayList<>();
    @Option(names = "--trial-index", paramLabel = "N", description = "Run the N-th parallel unit of the plan (its 'index').")
    Integer trialIndex;
    @Option(names = "--merge", description = "Tables, plots and results.json from the finished units; exit 1 if some are missing.")
    boolean merge;
    @Option(names = "--partial", description = "With --merge: write the tables even with units missing.")
    boolean partial;
    @Option(names = "--report-only", description = "Same as --merge --partial.")
    boolean reportOnly;
    @Option(names = "--status", description = "STATE<TAB>ID<TAB>INDEX per unit (done, running, missing); exit 0 only when all are done.")
    boolean status;
    @Option(names = "--emit", paramLabel = "slurm|k8s", description = "Write batch scripts (slurm) or manifests (k8s) into --to.")
    String emit;
    @Option(names = "--to", paramLabel = "DIR", description = "Directory for --emit.")
    Path to;
    @Option(names = "--cpus-per-task", description = "CPUs per unit (default: cluster.cpus_per_task, else " + Resources.CPUS + ").")
    Integer cpus;
    @Option(names = "--mem", description = "Memory per unit, Slurm units (default: cluster.mem, else " + Resources.MEM + ").")
    String mem;
    @Option(names = "--time", description = "Time limit per unit (default: cluster.time, else " + Resources.TIME + ").")
    String time;
    @Option(names = "--parallel", description = "Units at once: array throttle %%P / Job parallelism (default: cluster.parallel, else "
            + Resources.PARALLEL + ").")
    Integer parallel;
    @Option(names = "--partition", description = "Slurm partition (default: cluster.partition, else the cluster's default).")
    String partition;
    @Option(names = "--image", description = "Container image with headlens on the PATH (default: cluster.image, else " + Resources.IMAGE + ").")
    String image;
    @Option(names = "--launcher", description = "The headlens command in the jobs (slurm default: this checkout's ./headlens; k8s: headlens).")
    String launcher;

    @Override
    public Integer call() {
        int actions = (plan ? 1 : 0) + (trials.isEmpty() && trialIndex == null ? 0 : 1) + (merge || reportOnly ? 1 : 0) + (status ? 1 : 0)
                + (emit != null ? 1 : 0);
        if (actions > 1) throw new HeadlensException("sweep: give one of --plan, --trial/--trial-index, --merge, --status, --emit");
        if (partial && !merge) throw new HeadlensException("sweep: --partial goes with --merge");
        SweepConfig grid = SweepConfig.read(config);
        Sweep s = seed == null ? new Sweep(grid, System.err) : Sweep.replicate(grid, seed, System.err);
        SweepConfig cfg = seed == null ? grid : grid.withSeed(seed);
        SweepPlan p = s.plan();
        if (plan) {
            for (SweepPlan.Unit u : p.units()) System.out.println(u.toJson().toString());
            return 0;
        }
        if (!trials.isEmpty() || trialIndex != null) {
            List<SweepPlan.Unit> units = new ArrayList<>();
            for (String id : trials) units.add(p.byId(id));
            if (trialIndex != null) units.add(p.byIndex(trialIndex));
            for (SweepPlan.Unit u : units) s.runUnit(u);
            return 0;
        }
        if (status) {
            List<Sweep.UnitState> st = s.status();
            long done = st.stream().filter(x -> x.state().equals("done")).count();
            for (Sweep.UnitState x : st)
                System.out.println(x.state() + "\t" + x.unit().id() + "\t" + (x.unit().setup() ? "-" : String.valueOf(x.unit().index())));
            System.err.println("sweep " + cfg.name() + ": " + done + " of " + st.size() + " units done");
            return done == st.size() ? 0 : 1;
        }
        if (merge || reportOnly) return s.merge(partial || reportOnly).isEmpty() || partial || reportOnly ? 0 : 1;
        if (emit != null) return emit(cfg, p);
        s.run();
        return 0;
    }

    private int emit(SweepConfig cfg, SweepPlan p) {
        if (to == null) throw new HeadlensException("sweep: --emit needs --to DIR");
        Resources r = Resources.of(cfg.cluster(), cpus, mem, time, parallel, partition, image);
        Path cwd = Path.of("").toAbsolutePath();
        List<Path> files = switch (emit) {
            case "slurm" -> {
                Path local = cwd.resolve("headlens");
                String l = launcher != null ? launcher : Files.isExecutable(local) ? local.toString() : "headlens";
                yield SlurmEmitter.write(cfg, config.toAbsolutePath().normalize(), seed, p, r, to, cwd, l);
            }
            case "k8s" -> {
                Path abs = config.toAbsolutePath().normalize();
                String c = abs.startsWith(cwd) ? cwd.relativize(abs).toString() : abs.toString();
                if (!abs.startsWith(cwd))
                    System.err.println("warning: " + abs + " is outside this directory; the pods will look for it at that absolute path");
                yield K8sEmitter.write(cfg, c, seed, p, r, to, launcher != null ? launcher : "headlens");
            }
            default -> throw new HeadlensException("sweep: --emit must be slurm or k8s, not '" + emit + "'");
        };
        files.forEach(f -> System.out.println(f));
        System.err.printf("sweep %s: %d units, %d in the array; %d CPUs, %s, %s per unit, %d at once%n", cfg.name(), p.units().size(),
                p.parallel().size(), r.cpus(), r.mem(), r.time(), r.parallel());
        return 0;
    }
}
