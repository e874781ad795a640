package headlens.cli;

import headlens.backend.BackendCheck;
import headlens.backend.BackendCheck.Backend;
import headlens.backend.CpuNatives;
import headlens.backend.GpuSupport;
import headlens.backend.NvidiaSmi;
import headlens.model.ClosingMemoryMgr;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * {@code headlens doctor}: what ND4J will run on here and whether it can. The checks of {@link BackendCheck} (made
 * before ND4J is touched), then, when they pass, ND4J started for real and one op run. Exit 0 when usable, 2 otherwise.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Check the ND4J backend, native build, CPU instruction sets, GPUs, threads, memory limits and environment.")
public final class DoctorCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    /** Instruction sets worth showing (of the dozens in /proc/cpuinfo). */
    private static final List<String> SHOWN_FLAGS = List.of("sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512dq",
            "avx512cd", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16", "amx_bf16", "amx_tile", "amx_int8");

    /**
     * An environment setting headlens relies on: the value src/main/sh/native-env.sh (sourced by the launcher) and the
     * tests set, and why; {@code item}: the variable is a colon-separated list (GLIBC_TUNABLES) that must hold the value.
     */
    record Setting(String name, String value, boolean item, String why) {
        boolean holds(String v) {
            return v != null && (item ? List.of(v.split(":")).contains(value) : v.equalsIgnoreCase(value));
        }
    }

    static final List<Setting> ENVIRONMENT = List.of(
            new Setting("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1", true,
                    "transparent huge pages for ND4J's buffers; an mBERT fine-tune ran 1.3x faster with them (benchmarks/malloc-thp.sh)"),
            new Setting("MALLOC_MMAP_THRESHOLD_", "131072", false, "glibc keeps freed ND4J buffers in the heap without it (resident memory grows)"),
            new Setting("OMP_WAIT_POLICY", "PASSIVE", false, "it ran 1.5x faster here than OpenMP's spinning default"));

    /** The kernel's transparent-huge-page mode: the bracketed word of /sys/kernel/mm/transparent_hugepage/enabled. */
    static Optional<String> thpMode(String enabledFile) {
        int a = enabledFile.indexOf('['), b = enabledFile.indexOf(']', a + 1);
        return a < 0 || b < 0 ? Optional.empty() : Optional.of(enabledFile.substring(a + 1, b));
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        BackendCheck.Result r = BackendCheck.assess(BackendCheck.detect());
        BackendCheck.Host h = r.host();
        List<String> problems = new ArrayList<>(r.problems());
        List<String> warnings = new ArrayList<>();

        String requested = h.requested() == null ? " unset" : "=" + h.requested();
        line(out, "backend", switch (h.backend()) {
            case CPU -> "CPU (nd4j-native)";
            case CUDA -> "CUDA (" + GpuSupport.BUILD + ")";
            case NONE -> "none";
        } + "; " + BackendCheck.ENV + requested + (h.bothOnClassPath() ? "; both backends are on the class path" : ""));
        if (h.backend() == Backend.CPU) {
            line(out, "native build", r.classifier().orElse("not found") + (h.cpuClassifiers().size() > 1
                    ? " (JavaCPP's first of " + String.join(", ", h.cpuClassifiers()) + ")" : ""));
        } else if (h.backend() == Backend.CUDA) {
            line(out, "native build", CpuNatives.PLATFORM + " (CUDA 11.6 runtime; kernels "
                    + String.join(" ", GpuSupport.SASS.stream().map(GpuSupport.Capability::sm).toList()) + ", no PTX)");
        }
        cpu(out, h);
        gpus(out, h, r);
        javacpp(out);
        environment(out, warnings);
        if (problems.isEmpty()) nd4j(out, h, r, problems);
        for (String w : warnings) line(out, "warning", w);
        for (String p : problems) line(out, "problem", p);
        line(out, "verdict", problems.isEmpty() ? "usable" : "not usable" + (r.hint().isEmpty() ? "" : "; " + r.hint()));
        out.flush();
        return problems.isEmpty() ? 0 : 2;
    }

    private static void cpu(PrintWriter out, BackendCheck.Host h) {
        line(out, "CPU", h.cpuModel().orElse("model unknown") + ", " + Runtime.getRuntime().availableProcessors() + " processors available");
        if (h.cpuFlags().isEmpty()) {
            line(out, "instruction sets", "not read (no x86 flags in /proc/cpuinfo)");
            return;
        }
        Set<String> flags = h.cpuFlags().get();
        line(out, "instruction sets", String.join(" ", SHOWN_FLAGS.stream().filter(flags::contains).toList()));
        if (h.backend() == Backend.CPU && !h.cpuClassifiers().isEmpty()) {
            String c = h.cpuClassifiers().get(0);
            List<String> need = CpuNatives.required(c), lack = CpuNatives.missing(c, flags);
            line(out, "native build needs", need.isEmpty() ? "x86-64 only" : String.join(" ", need)
                    + (lack.isEmpty() ? ": all present" : ": missing " + String.join(" ", lack)));
        }
    }

    private static void gpus(PrintWriter out, BackendCheck.Host h, BackendCheck.Result r) {
        GpuSupport.Probe probe = h.gpus() != null ? h.gpus() : NvidiaSmi.probe();
        String prefix = h.backend() == Backend.CUDA ? "" : "for the CUDA build: ";
        if (probe instanceof GpuSupport.Unavailable u) {
            line(out, "GPUs", (h.backend() == Backend.CUDA ? "none usable: " : "none found: ") + u.reason());
            return;
        }
        GpuSupport.Assessment a = r.gpus() != null ? r.gpus() : GpuSupport.assess(probe, h.cudaVisibleDevices());
        List<GpuSupport.Gpu> all = ((GpuSupport.Devices) probe).gpus();
        line(out, "NVIDIA driver", all.stream().map(GpuSupport.Gpu::driverVersion).distinct().reduce((x, y) -> x + ", " + y)
                .orElse("answered, no GPU") + " (CUDA 11.x needs " + GpuSupport.MIN_DRIVER + " or newer)");
        if (h.backend() == Backend.CUDA) {
            boolean bundled = DoctorCommand.class.getClassLoader().getResource("org/bytedeco/cuda/linux-x86_64/libcublas.so.11") != null;
            line(out, "CUDA libraries", bundled ? "CUDA 11.6 bundled (cuda redist jar on the class path)"
                    : "not bundled: cuBLAS/cuSOLVER 11 come from a system CUDA 11.x on the library path (or build with -Pcuda-redist)");
        }
        for (GpuSupport.Verdict v : a.verdicts()) line(out, "GPU " + v.gpu().index(), prefix + v.description());
    }

    private static void javacpp(PrintWriter out) {
        String mb = System.getProperty("org.bytedeco.javacpp.maxbytes"), pb = System.getProperty("org.bytedeco.javacpp.maxphysicalbytes");
        line(out, "JavaCPP limits", "maxbytes " + gib(Pointer.maxBytes()) + (mb == null ? " (default: the heap's)" : " (-Dorg.bytedeco.javacpp.maxbytes=" + mb + ")")
                + ", maxphysicalbytes " + gib(Pointer.maxPhysicalBytes())
                + (pb == null ? " (default)" : " (-Dorg.bytedeco.javacpp.maxphysicalbytes=" + pb + ")")
                + "; heap max " + gib(Runtime.getRuntime().maxMemory()));
    }

    private static void environment(PrintWriter out, List<String> warnings) {
        for (Setting s : ENVIRONMENT) {
            String v = System.getenv(s.name());
            line(out, s.name(), v == null ? "unset" : v);
            if (!s.holds(v)) {
                warnings.add(s.name() + " is " + (v == null ? "unset" : v) + (s.item() ? ", without " : ", not ") + s.value() + ": "
                        + s.why() + " (./headlens sets it where the environment does not)");
            }
        }
        Path thp = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
        Optional<String> mode = Optional.empty();
        try {
            if (Files.isReadable(thp)) mode = thpMode(Files.readString(thp));
        } catch (IOException | RuntimeException e) {
            // not Linux, or not readable: said below
        }
        line(out, "transparent huge pages", mode.map(m -> m + switch (m) {
            case "always", "madvise" -> " (glibc.malloc.hugetlb=1 uses them)";
            default -> ": off, so ND4J's buffers are faulted in 4 KiB at a time";
        }).orElse("unknown (" + thp + " not readable)"));
        if (mode.isPresent() && mode.get().equals("never")) {
            warnings.add("transparent huge pages are off (" + thp + "): allocation-heavy runs are slower; 'madvise' suffices");
        }
        String omp = System.getenv("OMP_NUM_THREADS");
        line(out, "OMP_NUM_THREADS", omp == null ? "unset (OpenMP uses every processor)" : omp);
    }

    /** Starts ND4J, runs one op and reports what it loaded; adds a problem if any of it fails. */
    private static void nd4j(PrintWriter out, BackendCheck.Host h, BackendCheck.Result r, List<String> problems) {
        try {
            INDArray a = Nd4j.createFromArray(1f, 2f, 3f, 4f);
            double sum = a.sumNumber().doubleValue();
            Properties info = Nd4j.getExecutioner().getEnvironmentInformation();
            line(out, "ND4J", Nd4j.getBackend().getClass().getSimpleName() + " started; sum of [1, 2, 3, 4] = " + sum
                    + "; BLAS " + info.getOrDefault("blas.vendor", "?"));
            if (sum != 10.0) problems.add("ND4J's test op gave " + sum + " for the sum of [1, 2, 3, 4], not 10");
            line(out, "threads", "ND4J " + Nd4j.getEnvironment().maxThreads() + " (" + Nd4j.getEnvironment().maxMasterThreads()
                    + " master), OpenMP " + info.getOrDefault("omp.threads", "?") + ", BLAS " + info.getOrDefault("blas.threads", "?"));
            line(out, "memory pool", "headlens.pool.mb cap " + gib(ClosingMemoryMgr.capBytes()));
            String lib = h.backend() == Backend.CUDA ? "jnind4jcuda" : "jnind4jcpu";
            String path = Loader.getLoadedLibraries().get(lib);
            String loaded = path == null ? null : Path.of(path).getParent().getFileName().toString();
            line(out, "loaded natives", path == null ? "(" + lib + " not reported by JavaCPP)" : path);
            if (h.backend() == Backend.CPU && loaded != null && r.classifier().isPresent() && !loaded.equals(r.classifier().get())) {
                problems.add("the start-up check expected the " + r.classifier().get() + " natives but JavaCPP loaded " + loaded);
            }
            for (Map.Entry<Object, Object> e : new TreeMap<>(info).entrySet()) {
                if (e.getKey().toString().startsWith("cuda.")) line(out, e.getKey().toString(), String.valueOf(e.getValue()));
            }
        } catch (Throwable t) { // UnsatisfiedLinkError, a CUDA error: what the user must see, as one line
            Throwable root = t;
            while (root.getCause() != null && root.getCause() != root) root = root.getCause();
            problems.add("ND4J failed to start: " + t + (root == t ? "" : ", caused by " + root)
                    + (h.backend() == Backend.CUDA ? " (ND4J's log above names the library that failed)" : ""));
        }
    }

    private static void line(PrintWriter out, String key, String value) {
        out.printf(Locale.ROOT, "%-24s %s%n", key + ":", value);
    }

    private static String gib(long bytes) {
        return bytes <= 0 ? "unlimited" : String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
    }
}
