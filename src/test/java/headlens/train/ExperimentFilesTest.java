package headlens.train;

import headlens.sweep.SweepConfig;
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

    /** configs/experiments holds training experiments only, configs/sweeps pruning sweeps only: each parses as its kind. */
    @Test
    void everyExperimentFileParses() throws IOException {
        List<Path> files = yamlFiles("experiments");
        assertTrue(files.size() >= 4, "experiment files found: " + files);
        for (Path f : files) {
            assertFalse(isSweep(f), f + " is a sweep config: it belongs in configs/sweeps");
            Experiment e = Experiment.of(Experiment.read(f), f.toString());
            assertFalse(e.train().isEmpty(), f + ": no training files");
            assertNotNull(e.dev(), f + ": no dev file");
            assertFalse(e.eval().isEmpty(), f + ": no evaluation files");
        }
    }

    @Test
    void everySweepFileParses() throws IOException {
        List<Path> files = yamlFiles("sweeps");
        assertTrue(files.size() >= 2, "sweep files found: " + files);
        for (Path f : files) {
            assertTrue(isSweep(f), f + " is not a sweep config (no targets:): training experiments belong in configs/experiments");
            SweepConfig c = SweepConfig.read(f);
            assertFalse(c.train().isEmpty(), f + ": no training files");
            assertFalse(c.targets().isEmpty(), f + ": no targets");
        }
    }

    @Test
    @Tag("slow")
    void experimentDataFilesExist() throws IOException {
        assertTrue(Files.isDirectory(Path.of("../shared/data")), "this test needs ../shared/data");
        for (Path f : yamlFiles("experiments")) {
            Experiment e = Experiment.of(Experiment.read(f), f.toString());
            Stream.concat(Stream.concat(e.train().stream(), Stream.of(e.dev())), e.eval().stream())
                    .forEach(p -> assertTrue(Files.isRegularFile(Path.of(p)), f + ": missing data file " + p));
        }
    }

    private static boolean isSweep(Path f) throws IOException {
        return Files.readString(f).lines().anyMatch(l -> l.startsWith("targets:"));
    }

    private static List<Path> yamlFiles(String dir) throws IOException {
        try (Stream<Path> s = Files.list(CONFIGS.resolve(dir))) {
            return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
    }
}
