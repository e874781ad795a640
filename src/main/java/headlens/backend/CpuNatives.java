package headlens.backend;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * ND4J's CPU natives: which classifier JavaCPP will load, which instruction sets it needs, and the CPU's flags from
 * {@code /proc/cpuinfo}. Pure functions over strings, except {@link #onClassPath} and {@link #readCpuFlags}.
 */
public final class CpuNatives {
    private CpuNatives() {}

    /** The platform the classifiers below are for; others are not checked. */
    public static final String PLATFORM = "linux-x86_64";

    /**
     * Nd4jCpu's platform extensions (its {@code @Platform(extension = ...)} in 1.0.0-M2.1) in the order JavaCPP's
     * Loader tries them: reversed, then the bare platform last. The first one on the class path is the one loaded.
     */
    static final List<String> LOAD_ORDER = List.of("-compat", "-avx512", "-avx2", "-vednn-avx2", "-vednn-avx512", "-vednn",
            "-onednn-avx2", "-onednn-avx512", "-onednn", "");

    /** Classifiers with a published M2.1 jar, best first (README, "Native backend: choosing the classifier"). */
    static final List<String> PUBLISHED = List.of(PLATFORM + "-onednn-avx512", PLATFORM + "-avx512", PLATFORM + "-avx2", PLATFORM);

    /** libnd4j's own start-up test ({@code isMinimalRequirementsMet}) for a binary built for AVX-512 (skylake-avx512). */
    static final List<String> AVX512 = List.of("avx", "avx2", "avx512f", "avx512vl", "avx512bw", "avx512dq", "avx512cd");
    /** ... and for AVX2. */
    static final List<String> AVX2 = List.of("avx", "avx2");

    /** The resource of a classifier's JNI library. */
    static String library(String classifier) {
        return "org/nd4j/linalg/cpu/nativecpu/bindings/" + classifier + "/libjnind4jcpu.so";
    }

    /** The classifiers whose natives {@code present} says are on the class path, in JavaCPP's load order. */
    public static List<String> onClassPath(Predicate<String> present) {
        List<String> found = new ArrayList<>();
        for (String ext : LOAD_ORDER) {
            if (present.test(library(PLATFORM + ext))) found.add(PLATFORM + ext);
        }
        return found;
    }

    /** The instruction-set flags (as /proc/cpuinfo names them) a classifier's binary needs. */
    public static List<String> required(String classifier) {
        if (classifier.endsWith("avx512")) return AVX512;
        if (classifier.endsWith("avx2")) return AVX2;
        return List.of();
    }

    /** The flags of the first {@code flags} line of /proc/cpuinfo text; empty when there is none (not x86). */
    public static Optional<Set<String>> parseCpuFlags(String cpuinfo) {
        for (String line : cpuinfo.split("\\R")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equals("flags")) {
                Set<String> flags = new LinkedHashSet<>(List.of(line.substring(colon + 1).trim().split("\\s+")));
                flags.remove("");
                return Optional.of(flags);
            }
        }
        return Optional.empty();
    }

    /** The {@code model name} of the first processor in /proc/cpuinfo text, if any. */
    public static Optional<String> parseModelName(String cpuinfo) {
        for (String line : cpuinfo.split("\\R")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equals("model name")) return Optional.of(line.substring(colon + 1).trim());
        }
        return Optional.empty();
    }

    /** The flags {@code classifier} needs that {@code flags} lacks. */
    public static List<String> missing(String classifier, Set<String> flags) {
        return required(classifier).stream().filter(f -> !flags.contains(f)).toList();
    }

    /** The best published classifier a CPU with these flags runs. */
    public static String bestFor(Set<String> flags) {
        return PUBLISHED.stream().filter(c -> missing(c, flags).isEmpty()).findFirst().orElse(PLATFORM);
    }

    /**
     * Why {@code classifier} cannot run on a CPU with {@code flags}, or empty when it can, e.g. "the native build
     * linux-x86_64-onednn-avx512 needs avx512f ... which this CPU lacks; ...".
     */
    public static Optional<String> problem(String classifier, Set<String> flags) {
        List<String> lack = missing(classifier, flags);
        if (lack.isEmpty()) return Optional.empty();
        return Optional.of("the native build " + classifier + " needs the instruction sets " + String.join(" ", required(classifier))
                + " and this CPU lacks " + String.join(" ", lack) + "; build for this CPU with mvn -B -DskipTests -Dnd4j.classifier="
                + bestFor(flags) + " package (./headlens then runs that build)");
    }
}
