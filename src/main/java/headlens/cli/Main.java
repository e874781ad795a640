package headlens.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

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
                TokenizeCommand.class,
                DataCommand.class,
                ScoreCommand.class,
                TrainCommand.class,
                EvalCommand.class,
                PredictCommand.class,
                ReportCommand.class,
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
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof HeadlensException he) {
                cmd.getErr().println("error: " + he.getMessage());
                return 2;
            }
            throw ex;
        });
        return cl.execute(args);
    }
}
