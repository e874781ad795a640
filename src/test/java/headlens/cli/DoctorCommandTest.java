package headlens.cli;

import headlens.backend.BackendCheck;
import headlens.backend.GpuSupport;
import org.bytedeco.javacpp.Loader;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code headlens doctor} on this machine (the CPU build), and the start-up check that stops every other command. */
class DoctorCommandTest {
    private static String[] run(Supplier<BackendCheck.Result> check, String... args) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        try {
            int rc = check == null ? Main.run(args) : Main.run(check, args);
            return new String[] {String.valueOf(rc), o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    private static String value(String report, String key) {
        return report.lines().filter(l -> l.startsWith(key + ":")).map(l -> l.substring(key.length() + 1).strip())
                .findFirst().orElseThrow(() -> new AssertionError("no '" + key + "' line in\n" + report));
    }

    @Test
    void doctorOnThisMachineIsUsableAndNamesWhatJavaCppLoaded() throws Exception {
        Assumptions.assumeTrue(BackendCheck.detect().backend() == BackendCheck.Backend.CPU, "the CPU build's test");
        String[] r = run(null, "doctor");
        assertEquals("0", r[0], r[1] + r[2]);
        assertTrue(value(r[1], "backend").startsWith("CPU (nd4j-native)"), r[1]);
        assertEquals("usable", value(r[1], "verdict"), r[1]);
        assertTrue(value(r[1], "ND4J").contains("sum of [1, 2, 3, 4] = 10.0"), r[1]);
        // the classifier predicted before ND4J started is the one JavaCPP reports it loaded
        String predicted = value(r[1], "native build").split(" ")[0];
        String loaded = Path.of(Loader.getLoadedLibraries().get("jnind4jcpu")).getParent().getFileName().toString();
        assertEquals(loaded, predicted);
        // surefire sets these, as the launcher does
        assertEquals("131072", value(r[1], "MALLOC_MMAP_THRESHOLD_"));
        assertEquals("PASSIVE", value(r[1], "OMP_WAIT_POLICY"));
        assertEquals("glibc.malloc.hugetlb=1", value(r[1], "GLIBC_TUNABLES"));
        Path thp = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
        if (Files.isReadable(thp)) {
            String mode = Files.readString(thp).replaceAll("(?s).*\\[(\\w+)].*", "$1");
            assertTrue(value(r[1], "transparent huge pages").startsWith(mode + (mode.equals("never") ? ":" : " (")), r[1]);
            assertEquals(mode.equals("never"), r[1].contains("warning: transparent huge pages are off"), r[1]);
        }
        assertTrue(value(r[1], "JavaCPP limits").contains("(-Dorg.bytedeco.javacpp.maxbytes=4G)"), r[1]);
        assertFalse(r[1].contains("problem:"), r[1]);
    }

    @Test
    void theKernelsHugePageModeIsTheBracketedWord() {
        assertEquals(Optional.of("madvise"), DoctorCommand.thpMode("always [madvise] never\n"));
        assertEquals(Optional.of("always"), DoctorCommand.thpMode("[always] madvise never"));
        assertEquals(Optional.of("never"), DoctorCommand.thpMode("always madvise [never]\n"));
        assertEquals(Optional.empty(), DoctorCommand.thpMode("always madvise never"));
    }

    @Test
    void aTunableIsLookedForAmongTheOthers() {
        DoctorCommand.Setting glibc = DoctorCommand.ENVIRONMENT.stream().filter(x -> x.name().equals("GLIBC_TUNABLES")).findFirst().orElseThrow();
        assertTrue(glibc.holds("glibc.malloc.hugetlb=1"));
        assertTrue(glibc.holds("glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1"));   // what native-env.sh makes of a user's own
        assertFalse(glibc.holds("glibc.malloc.hugetlb=0"));
        assertFalse(glibc.holds("glibc.malloc.hugetlb=10"));
        assertFalse(glibc.holds(null));
        DoctorCommand.Setting omp = DoctorCommand.ENVIRONMENT.stream().filter(x -> x.name().equals("OMP_WAIT_POLICY")).findFirst().orElseThrow();
        assertTrue(omp.holds("passive"));
        assertFalse(omp.holds("PASSIVE:ACTIVE"));
    }

    private static BackendCheck.Result hopper() {
        GpuSupport.Gpu h100 = new GpuSupport.Gpu(0, "NVIDIA H100 80GB HBM3", 81559, new GpuSupport.Capability(9, 0), "535.129.03");
        return BackendCheck.assess(new BackendCheck.Host(BackendCheck.Backend.CUDA, false, "cuda", List.of(), Optional.empty(),
                Optional.empty(), new GpuSupport.Devices(List.of(h100)), null));
    }

    @Test
    void everyCommandStopsAtStartUpOnAGpuTheBuildCannotDrive() {
        for (String[] args : List.of(new String[] {"tokenize", "--tokenizer", "none.json", "--input", "none.txt"},
                new String[] {"data", "none.conllu"}, new String[] {"encode", "--input", "none.txt", "--output", "x.npz"})) {
            String[] r = run(DoctorCommandTest::hopper, args);
            assertEquals("2", r[0], r[2]);
            assertEquals("", r[1]);
            assertEquals("error: GPU 0: NVIDIA H100 80GB HBM3, 81559 MiB, compute capability 9.0 (Hopper): no kernels for it: "
                    + "newer than the newest kernels in nd4j-cuda-11.6 1.0.0-M2.1 (sm_86), which has no PTX to compile for it\n"
                    + "headlens doctor shows the details; HEADLENS_BACKEND=cpu ./headlens ... runs the CPU build instead\n",
                    r[2].replace("\r\n", "\n"));
        }
        // help, --help, --version and doctor are not stopped (doctor runs its own checks: here, the real CPU build)
        assertEquals("0", run(DoctorCommandTest::hopper, "--help")[0]);
        assertEquals("0", run(DoctorCommandTest::hopper, "encode", "--help")[0]);
        assertEquals("0", run(DoctorCommandTest::hopper, "help", "train")[0]);
        assertEquals("0", run(DoctorCommandTest::hopper, "--version")[0]);
        assertEquals("0", run(DoctorCommandTest::hopper, "doctor")[0]);
    }

    @Test
    void aUsableCheckLetsTheCommandRun() {
        // the command itself then fails on its missing file, with its own message
        String[] r = run(() -> BackendCheck.assess(BackendCheck.detect()), "tokenize", "--tokenizer", "none.json", "--input", "none.txt");
        assertEquals("2", r[0]);
        assertFalse(r[2].contains("GPU"), r[2]);
        assertTrue(r[2].startsWith("error: "), r[2]);
    }
}
