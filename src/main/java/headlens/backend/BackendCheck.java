package headlens.backend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Will ND4J run here? Decided before ND4J is touched (no class of a backend is loaded, no native library), from the
 * class path, {@code /proc/cpuinfo}, nvidia-smi and the environment. {@code cli.Main} stops every command with these
 * problems (exit 2); {@code headlens doctor} prints them with the facts behind them.
 */
public final class BackendCheck {
    private BackendCheck() {}

    /** The environment variable that names the backend the user wants: {@code cpu} or {@code cuda}. */
    public static final String ENV = "HEADLENS_BACKEND";

    /** Which ND4J backend the class path holds (what {@code Nd4jBackend.load} will pick), or none. */
    public enum Backend { CPU, CUDA, NONE }

    /**
     * What the checks look at. {@code cpuClassifiers}: CPU natives on the class path in JavaCPP's load order;
     * {@code cpuFlags}: empty when /proc/cpuinfo has none (not Linux x86); {@code gpus}: null unless the backend is CUDA.
     */
    public record Host(Backend backend, boolean bothOnClassPath, String requested, List<String> cpuClassifiers,
                       Optional<Set<String>> cpuFlags, Optional<String> cpuModel, GpuSupport.Probe gpus,
                       String cudaVisibleDevices) {}

    /** The outcome; {@code gpus} is null unless the backend is CUDA. */
    public record Result(Host host, Optional<String> classifier, GpuSupport.Assessment gpus, List<String> problems) {
        public boolean usable() { return problems.isEmpty(); }

        /** The way out, to print with problems: for the CUDA build, the CPU one; empty otherwise. */
        public String hint() {
            return host.backend() == Backend.CUDA ? "HEADLENS_BACKEND=cpu ./headlens ... runs the CPU build instead" : "";
        }
    }

    static final String CPU_CLASS = "org/nd4j/linalg/cpu/nativecpu/CpuBackend.class";
    static final String CUDA_CLASS = "org/nd4j/linalg/jcublas/JCublasBackend.class";

    /** This JVM: class path resources, /proc/cpuinfo, the environment, and nvidia-smi when the backend is CUDA. */
    public static Host detect() {
        ClassLoader cl = BackendCheck.class.getClassLoader();
        Map<String, String> env = System.getenv();
        boolean cpu = cl.getResource(CPU_CLASS) != null, cuda = cl.getResource(CUDA_CLASS) != null;
        Backend backend = cuda && (!cpu || !cpuPreferred(env)) ? Backend.CUDA : cpu ? Backend.CPU : Backend.NONE;
        String os = System.getProperty("os.name", "").toLowerCase(), arch = System.getProperty("os.arch", "");
        boolean linuxX86 = os.startsWith("linux") && (arch.equals("amd64") || arch.equals("x86_64"));
        List<String> classifiers = linuxX86 ? CpuNatives.onClassPath(r -> cl.getResource(r) != null) : List.of();
        Optional<Set<String>> flags = Optional.empty();
        Optional<String> model = Optional.empty();
        if (linuxX86) {
            try {
                String cpuinfo = Files.readString(Path.of("/proc/cpuinfo"));
                flags = CpuNatives.parseCpuFlags(cpuinfo);
                model = CpuNatives.parseModelName(cpuinfo);
            } catch (IOException | RuntimeException e) {
                // unreadable: not checked
            }
        }
        GpuSupport.Probe gpus = backend == Backend.CUDA ? NvidiaSmi.probe() : null;
        return new Host(backend, cpu && cuda, env.get(ENV), classifiers, flags, model, gpus, env.get("CUDA_VISIBLE_DEVICES"));
    }

    /** ND4J loads the available backend of the highest priority: CPU 0 and GPU 100 unless the environment says else. */
    static boolean cpuPreferred(Map<String, String> env) {
        return priority(env.get("BACKEND_PRIORITY_CPU"), 0) > priority(env.get("BACKEND_PRIORITY_GPU"), 100);
    }

    private static int priority(String v, int dflt) {
        try {
            return v == null || v.isBlank() ? dflt : Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    /** The decision. */
    public static Result assess(Host h) {
        List<String> problems = new ArrayList<>();
        String req = h.requested() == null || h.requested().isBlank() ? null : h.requested().trim().toLowerCase();
        if (req != null && !req.equals("cpu") && !req.equals("cuda")) {
            problems.add(ENV + " must be cpu or cuda, not '" + h.requested() + "'");
        }
        Optional<String> classifier = Optional.empty();
        GpuSupport.Assessment gpus = null;
        switch (h.backend()) {
            case NONE -> problems.add("no ND4J backend on the class path (neither nd4j-native nor nd4j-cuda-11.6)");
            case CPU -> {
                if ("cuda".equals(req)) {
                    problems.add(ENV + "=cuda, but this is the CPU build (nd4j-native): HEADLENS_BACKEND=cuda ./headlens "
                            + "builds and runs the CUDA build (target/cuda)");
                }
                if (!h.cpuClassifiers().isEmpty()) {
                    classifier = Optional.of(h.cpuClassifiers().get(0));
                    if (h.cpuFlags().isPresent()) CpuNatives.problem(classifier.get(), h.cpuFlags().get()).ifPresent(problems::add);
                } else if (h.cpuFlags().isPresent()) { // Linux x86-64, where the natives would be looked for
                    problems.add("no nd4j-native natives for " + CpuNatives.PLATFORM + " on the class path (the jar with the "
                            + "nd4j.classifier of the build is missing)");
                }
            }
            case CUDA -> {
                if ("cpu".equals(req)) {
                    problems.add(ENV + "=cpu, but this JVM would load the CUDA backend (nd4j-cuda-11.6 on the class path"
                            + (h.bothOnClassPath() ? ", with a priority over nd4j-native; BACKEND_PRIORITY_CPU=101 reverses that"
                            : "") + "): ./headlens runs the CPU build in target/ for HEADLENS_BACKEND=cpu");
                }
                gpus = GpuSupport.assess(h.gpus(), h.cudaVisibleDevices());
                problems.addAll(gpus.problems());
            }
        }
        return new Result(h, classifier, gpus, problems);
    }
}
