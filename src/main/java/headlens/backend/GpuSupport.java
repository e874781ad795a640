package headlens.backend;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Which GPUs ND4J's CUDA build can drive: a pure decision over a device list, so that it is tested without a GPU.
 *
 * <p>{@code nd4j-cuda-11.6:1.0.0-M2.1} (the newest release) ships {@code libnd4jcuda.so} with machine code (SASS) for
 * sm_37, 50, 52, 60, 61, 70, 75, 80 and 86 and no PTX (checked with cuobjdump). The CUDA binary-compatibility rule
 * (CUDA C++ Programming Guide, "Binary Compatibility"): a cubin for compute capability X.y runs on X.z for z ≥ y only,
 * and only PTX could be compiled for another major version. So 8.9 (Ada) runs the sm_86 code (NVIDIA's Ada
 * compatibility guide says the same of Ampere cubins), while 9.0 (Hopper) and 10.x / 12.x (Blackwell) have nothing to
 * run, and neither has 3.5 (older than sm_37 within Kepler).
 */
public final class GpuSupport {
    private GpuSupport() {}

    /** The ND4J CUDA build this decision is about. */
    public static final String BUILD = "nd4j-cuda-11.6 1.0.0-M2.1";

    /** Compute capabilities with SASS in {@link #BUILD}; it has no PTX. */
    public static final List<Capability> SASS = List.of(
            new Capability(3, 7), new Capability(5, 0), new Capability(5, 2), new Capability(6, 0), new Capability(6, 1),
            new Capability(7, 0), new Capability(7, 5), new Capability(8, 0), new Capability(8, 6));

    /**
     * The oldest driver that runs a CUDA 11.x application (CUDA 11 "minor version compatibility"); CUDA 11.6 itself
     * ships with 510.39.01.
     */
    public static final String MIN_DRIVER = "450.80.02";

    /** A compute capability, e.g. 8.6. */
    public record Capability(int major, int minor) {
        static Capability parse(String s) {
            String[] p = s.trim().split("\\.");
            if (p.length != 2) throw new IllegalArgumentException("compute capability '" + s + "' is not MAJOR.MINOR");
            return new Capability(Integer.parseInt(p[0]), Integer.parseInt(p[1]));
        }

        /** The kernel-target name, e.g. sm_86. */
        public String sm() { return "sm_" + major + minor; }

        @Override public String toString() { return major + "." + minor; }

        /** NVIDIA's architecture name for this capability. */
        public String architecture() {
            return switch (major) {
                case 1 -> "Tesla";
                case 2 -> "Fermi";
                case 3 -> "Kepler";
                case 5 -> "Maxwell";
                case 6 -> "Pascal";
                case 7 -> minor >= 5 ? "Turing" : "Volta";
                case 8 -> minor >= 9 ? "Ada" : "Ampere";
                case 9 -> "Hopper";
                case 10, 11, 12 -> "Blackwell";
                default -> "unknown architecture";
            };
        }
    }

    /** One GPU as the driver reports it; {@code capability} is null when the driver could not say. */
    public record Gpu(int index, String name, long memoryMiB, Capability capability, String driverVersion) {}

    /** What the driver query gave: the GPUs, or why there are none to use. */
    public sealed interface Probe permits Devices, Unavailable {}

    /** The driver answered with these GPUs (maybe none). */
    public record Devices(List<Gpu> gpus) implements Probe {
        public Devices { gpus = List.copyOf(gpus); }
    }

    /** No usable NVIDIA driver: nvidia-smi is missing or failed; {@code reason} says which. */
    public record Unavailable(String reason) implements Probe {}

    /** One GPU's verdict: the kernels it runs ({@code kernel} empty when none) and a one-line explanation. */
    public record Verdict(Gpu gpu, Optional<Capability> kernel, String reason) {
        public boolean ok() { return kernel.isPresent(); }

        /** e.g. {@code Tesla T4, 15360 MiB, compute capability 7.5 (Turing): runs the sm_75 kernels}. */
        public String description() {
            String cc = gpu.capability() == null ? "compute capability unknown"
                    : "compute capability " + gpu.capability() + " (" + gpu.capability().architecture() + ")";
            String mem = gpu.memoryMiB() < 0 ? "memory unknown" : gpu.memoryMiB() + " MiB";
            return gpu.name() + ", " + mem + ", " + cc + ": " + reason;
        }

        /** {@link #description()} after {@code GPU <index>: }. */
        public String line() { return "GPU " + gpu.index() + ": " + description(); }
    }

    /** The whole decision: a verdict per GPU and the reasons (if any) this build cannot be used. */
    public record Assessment(List<Verdict> verdicts, List<String> problems) {
        public boolean usable() { return problems.isEmpty(); }
    }

    /** The {@link #SASS} entry a GPU of capability {@code c} executes: same major, the highest minor ≤ its own. */
    public static Optional<Capability> kernelFor(Capability c) {
        return SASS.stream().filter(k -> k.major() == c.major() && k.minor() <= c.minor())
                .max(Comparator.comparingInt(Capability::minor));
    }

    /** The verdict for one GPU. */
    public static Verdict check(Gpu g) {
        Capability c = g.capability();
        if (c == null) {
            return new Verdict(g, Optional.empty(), "the driver did not report its compute capability (nvidia-smi of driver R510 "
                    + "or newer does), so " + BUILD + " cannot be checked against it");
        }
        Optional<Capability> k = kernelFor(c);
        if (k.isPresent()) {
            String how = k.get().equals(c) ? "" : " (binary compatible within compute capability " + c.major() + ".x)";
            return new Verdict(g, k, "runs the " + k.get().sm() + " kernels" + how);
        }
        Capability newest = SASS.get(SASS.size() - 1);
        String why;
        if (c.major() > newest.major()) {
            why = "newer than the newest kernels in " + BUILD + " (" + newest.sm() + "), which has no PTX to compile for it";
        } else {
            Optional<Capability> family = SASS.stream().filter(s -> s.major() == c.major()).findFirst();
            why = family.map(f -> "older than the " + f.sm() + " kernels of its architecture in " + BUILD)
                    .orElse("older than the oldest kernels in " + BUILD + " (" + SASS.get(0).sm() + ")");
        }
        return new Verdict(g, Optional.empty(), "no kernels for it: " + why);
    }

    /**
     * The GPUs CUDA will use: those whose indices {@code CUDA_VISIBLE_DEVICES} lists (null: all). A value that is not a
     * plain index list (UUIDs, MIG names) is not interpreted and every GPU is checked.
     */
    public static List<Gpu> visible(List<Gpu> gpus, String cudaVisibleDevices) {
        if (cudaVisibleDevices == null) return gpus;
        String v = cudaVisibleDevices.trim();
        if (v.isEmpty()) return List.of();
        List<Integer> wanted = new ArrayList<>();
        for (String s : v.split(",")) {
            if (!s.trim().matches("\\d+")) return gpus;
            wanted.add(Integer.parseInt(s.trim()));
        }
        return gpus.stream().filter(g -> wanted.contains(g.index())).toList();
    }

    /** The decision for the GPUs CUDA will see. Every one must be drivable: ND4J spreads threads over all devices. */
    public static Assessment assess(Probe probe, String cudaVisibleDevices) {
        List<String> problems = new ArrayList<>();
        if (probe instanceof Unavailable u) {
            problems.add("the CUDA build (" + BUILD + ") needs an NVIDIA driver and none answered: " + u.reason());
            return new Assessment(List.of(), problems);
        }
        List<Gpu> all = ((Devices) probe).gpus();
        List<Gpu> gpus = visible(all, cudaVisibleDevices);
        if (gpus.isEmpty()) {
            problems.add("the CUDA build (" + BUILD + ") found no GPU" + (all.isEmpty() ? ""
                    : " among CUDA_VISIBLE_DEVICES=" + cudaVisibleDevices + " (the driver lists " + all.size() + ")"));
            return new Assessment(List.of(), problems);
        }
        for (String d : gpus.stream().map(Gpu::driverVersion).distinct().toList()) {
            if (compareVersions(d, MIN_DRIVER) < 0) {
                problems.add("NVIDIA driver " + d + " is older than " + MIN_DRIVER + ", the oldest that runs CUDA 11.x "
                        + "applications (" + BUILD + " is built with CUDA 11.6, whose own driver is 510.39.01)");
            }
        }
        List<Verdict> verdicts = gpus.stream().map(GpuSupport::check).toList();
        for (Verdict v : verdicts) {
            if (!v.ok()) problems.add(v.line());
        }
        return new Assessment(verdicts, problems);
    }

    /**
     * Parses {@code nvidia-smi --query-gpu=index,compute_cap,memory.total,driver_version,name --format=csv,noheader}
     * (with or without {@code nounits}): one GPU a line, the name last since only it is free text.
     */
    public static List<Gpu> parseNvidiaSmi(String csv) {
        List<Gpu> gpus = new ArrayList<>();
        int lineNo = 0;
        for (String line : csv.split("\\R")) {
            lineNo++;
            if (line.isBlank()) continue;
            String[] f = line.split(",", 5);
            if (f.length != 5) {
                throw new IllegalArgumentException("nvidia-smi line " + lineNo + " has " + f.length + " fields, not 5: " + line);
            }
            try {
                int index = Integer.parseInt(f[0].trim());
                String cc = f[1].trim();
                Capability cap = cc.startsWith("[") ? null : Capability.parse(cc); // [N/A], [Not Supported]
                String mem = f[2].trim();
                long mib = mem.startsWith("[") ? -1 : Long.parseLong(mem.replaceFirst("(?i)\\s*MiB$", ""));
                gpus.add(new Gpu(index, f[4].trim(), mib, cap, f[3].trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("nvidia-smi line " + lineNo + " is not index, compute_cap, memory, driver, name: "
                        + line, e);
            }
        }
        return gpus;
    }

    /** Compares dotted numeric versions (450.80.02 < 510.39.01); a part that is not a number compares as 0. */
    static int compareVersions(String a, String b) {
        int[] x = parts(a), y = parts(b);
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int c = Integer.compare(i < x.length ? x[i] : 0, i < y.length ? y[i] : 0);
            if (c != 0) return c;
        }
        return 0;
    }

    private static int[] parts(String v) {
        return Arrays.stream(v.trim().split("\\.")).mapToInt(s -> s.matches("\\d{1,9}") ? Integer.parseInt(s) : 0).toArray();
    }
}
