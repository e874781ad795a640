package headlens.train;

import headlens.heads.SweepConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** Every file in configs/ parses, names a known task, and (tag "slow", needs ../shared/data) points at files that exist. */
class ExperimentFilesTest {
    private static final Path CONFIGS = Path.of("configs");

    @Test
    void taskFilesCarryThePapersDefaults() {
        for (String task : Experiment.TASKS) {
            Path f = CONFIGS.resolve("tasks/" + task + ".yaml");
            Experiment e = Experiment.of(Experiment.read(f), f.toString());
            assertEquals(task, e.task(), f.toString());
            // Ma et al. 2021: lr 5e-5, 3 epochs, max length 256, batch 16, seed 42
            TrainConfig t = e.training();
            assertEquals(5e-5, t.lr(), 0, f.toString());
            assertEquals(3, t.epochs(), f.toString());
            assertEquals(256, t.maxLength(), f.toString());
            assertEquals(16, t.batchSize(), f.toString());
            assertEquals(42, t.seed(), f.toString());
        }
    }

    @Test
    void everyExperimentFileParses() throws IOException {
        List<Path> files = experimentFiles();
        assertTrue(files.size() >= 5, "experiment files found: " + files);
        int train = 0, sweep = 0;
        for (Path f : files) {
            if (isSweep(f)) {
                assertNotNull(SweepConfig.read(f), f.toString());
                sweep++;
            } else {
                Experiment e = Experiment.of(Experiment.read(f), f.toString());
                assertFalse(e.train().isEmpty(), f + ": no training files");
                assertNotNull(e.dev(), f + ": no dev file");
                assertFalse(e.eval().isEmpty(), f + ": no evaluation files");
                train++;
            }
        }
        assertTrue(train >= 4 && sweep >= 2, "train " + train + ", sweep " + sweep);
    }

    @Test
    @Tag("slow")
    void experimentDataFilesExist() throws IOException {
        assertTrue(Files.isDirectory(Path.of("../shared/data")), "this test needs ../shared/data");
        for (Path f : experimentFiles()) {
            if (isSweep(f)) continue;
            Experiment e = Experiment.of(Experiment.read(f), f.toString());
            Stream.concat(Stream.concat(e.train().stream(), Stream.of(e.dev())), e.eval().stream())
                    .forEach(p -> assertTrue(Files.isRegularFile(Path.of(p)), f + ": missing data file " + p));
        }
    }

    private static boolean isSweep(Path f) throws IOException {
        return Files.readString(f).lines().anyMatch(l -> l.startsWith("targets:"));
    }

    private static List<Path> experimentFiles() throws IOException {
        try (Stream<Path> s = Files.list(CONFIGS.resolve("experiments"))) {
            return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
    }
}
