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

    /**
     * The paper's grids read what their comments say: every entry has sentences, no target's reported (test) sentences
     * are among its dev, the source dev or the training sentences (by file:line), and every NER target is scored on
     * at least 2,000 sentences (Hindi: WikiANN has 1,000 labelled ones, 600 reported).
     */
    @Test
    @Tag("slow")
    void paperGridsKeepEvaluationSentencesApart() throws IOException {
        assertTrue(Files.isDirectory(Path.of("../shared/data")), "this test needs ../shared/data");
        List<Path> grids = yamlFiles("sweeps").stream().filter(p -> p.getFileName().toString().startsWith("paper-")).toList();
        assertTrue(grids.size() >= 6, "paper grids: " + grids);
        for (Path f : grids) {
            SweepConfig c = SweepConfig.read(f);
            java.util.Set<String> train = new java.util.HashSet<>(), sourceDev = new java.util.HashSet<>();
            c.train().forEach(d -> d.read().forEach(x -> train.add(x.source())));
            c.sourceDev().forEach(d -> d.read().forEach(x -> sourceDev.add(x.source())));
            for (var t : c.targets().entrySet()) {
                String where = f.getFileName() + " target " + t.getKey();
                List<String> dev = t.getValue().devFile().read().stream().map(x -> x.source()).toList();
                assertFalse(dev.isEmpty(), where + ": no dev sentences");
                assertTrue(dev.stream().noneMatch(train::contains), where + ": dev sentences among the training sentences");
                if (t.getValue().testFile() == null) continue;
                List<String> test = t.getValue().testFile().read().stream().map(x -> x.source()).toList();
                java.util.Set<String> devSet = new java.util.HashSet<>(dev);
                assertTrue(test.stream().noneMatch(devSet::contains), where + ": test sentences among its dev sentences");
                assertTrue(test.stream().noneMatch(sourceDev::contains), where + ": test sentences among the source dev");
                assertTrue(test.stream().noneMatch(train::contains), where + ": test sentences among the training sentences");
                if (c.task() != null && c.task().equals("ner"))
                    assertTrue(test.size() >= (t.getKey().equals("hi") ? 600 : 2000), where + ": " + test.size() + " reported sentences");
            }
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
