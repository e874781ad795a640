package headlens.cli;

import headlens.backend.BackendCheck;
import headlens.core.HeadlensException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParseResult;

import java.util.function.Supplier;

/** Entry point of the {@code headlens} command line. Each sub-command lives in its own class. */
@Command(name = "headlens", mixinStandardHelpOptions = true, version = "headlens 0.1.0",
        description = "Multilingual transformer encoders in SameDiff: per-head gates, head importance, pruning, token classification.",
        subcommands = {
                CommandLine.HelpCommand.class,
                ConvertCommand.class,
                ImportanceCommand.class,
                PruneCommand.class,
                SweepCommand.class,
                DemoCommand.class,
                EncodeCommand.class,
                ExportCommand.class,
                PullCommand.class,
                ModelsCommand.class,
                TokenizeCommand.class,
                DataCommand.class,
                ScoreCommand.class,
                TrainCommand.class,
                EvalCommand.class,
                PredictCommand.class,
                ReportCommand.class,
                DoctorCommand.class,
        })
public final class Main implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit code (used by tests). */
    public static int run(String... args) {
        return run(() -> BackendCheck.assess(BackendCheck.detect()), args);
    }

    /**
     * Runs the CLI after the start-up check: when it finds problems, every command but {@code doctor} and help stops
     * with them, exit 2, before ND4J is touched (on a GPU the CUDA build cannot drive, the first op would otherwise
     * fail deep inside libnd4j).
     */
    static int run(Supplier<BackendCheck.Result> startupCheck, String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionStrategy(parsed -> {
            if (needsBackend(parsed)) {
                BackendCheck.Result r = startupCheck.get();
                if (!r.usable()) {
                    for (String p : r.problems()) cl.getErr().println("error: " + p);
                    cl.getErr().println("headlens doctor shows the details" + (r.hint().isEmpty() ? "" : "; " + r.hint()));
                    return 2;
                }
            }
            return new CommandLine.RunLast().execute(parsed);
        });
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof HeadlensException he) {
                cmd.getErr().println("error: " + he.getMessage());
                return 2;
            }
            throw ex;
        });
        return cl.execute(args);
    }

    /** False for doctor, help, --help and --version, and for headlens alone (which prints the usage). */
    private static boolean needsBackend(ParseResult parsed) {
        ParseResult p = parsed;
        while (true) {
            if (p.isUsageHelpRequested() || p.isVersionHelpRequested()) return false;
            if (!p.hasSubcommand()) break;
            p = p.subcommand();
        }
        Object command = p.commandSpec().userObject();
        return !(command instanceof Main || command instanceof DoctorCommand || command instanceof CommandLine.HelpCommand);
    }
}
