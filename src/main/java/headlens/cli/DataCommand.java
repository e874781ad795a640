package headlens.cli;

import headlens.data.DataReaders;
import headlens.data.Dataset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code headlens data FILE...}: reads data files and prints what was loaded (format, counts, languages, labels, skips). */
@Command(name = "data", mixinStandardHelpOptions = true,
        description = "Read token-classification data files and summarise them (format, sentences, labels, skipped rows).")
public final class DataCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE", description = "data files")
    List<Path> files;

    @Mixin
    DataOptions options;

    @Override
    public Integer call() {
        for (Path f : files) {
            Dataset d = DataReaders.read(f, options.format(), options.readOptions());
            System.out.printf("%s%n  format %s, %d sentences, %d words, languages %s%n  %d labels: %s%n  %s",
                    d.file(), d.format().name().toLowerCase(java.util.Locale.ROOT), d.size(), d.tokenCount(),
                    d.languages(), d.labels().size(), d.isLabeled() ? d.labels() : "(unlabelled)", d.skipped());
            System.out.println(d.relabeled() > 0 ? "; " + d.relabeled() + " labels fixed (xSID 0.6 label fixes)" : "");
        }
        return 0;
    }
}
