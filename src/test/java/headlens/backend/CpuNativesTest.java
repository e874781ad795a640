package headlens.backend;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CPU natives against /proc/cpuinfo flags. Required sets are libnd4j's own start-up test (isMinimalRequirementsMet):
 * AVX-512 builds need avx avx2 avx512f avx512vl avx512bw avx512dq avx512cd, AVX2 builds avx avx2.
 */
class CpuNativesTest {
    // /proc/cpuinfo of a Haswell server (Xeon E5-2680 v3), first processor, abridged to the lines that matter
    static final String HASWELL = """
            processor\t: 0
            vendor_id\t: GenuineIntel
            cpu family\t: 6
            model\t\t: 63
            model name\t: Intel(R) Xeon(R) CPU E5-2680 v3 @ 2.50GHz
            flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush dts acpi mmx fxsr sse sse2 ss ht tm pbe syscall nx pdpe1gb rdtscp lm constant_tsc arch_perfmon pebs bts rep_good nopl xtopology nonstop_tsc cpuid aperfmperf pni pclmulqdq dtes64 monitor ds_cpl vmx smx est tm2 ssse3 sdbg fma cx16 xtpr pdcm pcid dca sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave avx f16c rdrand lahf_lm abm cpuid_fault epb invpcid_single pti ssbd ibrs ibpb stibp tpr_shadow vnmi flexpriority ept vpid ept_ad fsgsbase tsc_adjust bmi1 avx2 smep bmi2 erms invpcid cqm xsaveopt cqm_llc cqm_occup_llc dtherm ida arat pln pts md_clear flush_l1d
            bugs\t\t: cpu_meltdown spectre_v1 spectre_v2 spec_store_bypass l1tf mds swapgs itlb_multihit

            processor\t: 1
            flags\t\t: fpu sse sse2
            """;
    // Xeon Phi 7250 (Knights Landing): AVX-512 F/CD/ER/PF, but not the VL/BW/DQ of skylake-avx512
    static final String KNL_FLAGS = "flags : fpu sse sse2 ssse3 sse4_1 sse4_2 avx f16c fma avx2 avx512f avx512pf avx512er avx512cd";
    // Sapphire Rapids (the tail of this machine's flags line)
    static final String SPR_FLAGS = "flags\t\t: fpu sse sse2 avx f16c avx2 fma avx512f avx512dq avx512ifma avx512cd avx512bw avx512vl avx512_vnni amx_tile";

    @Test
    void parsesTheFirstFlagsLineAndTheModel() {
        Set<String> f = CpuNatives.parseCpuFlags(HASWELL).orElseThrow();
        assertTrue(f.containsAll(List.of("avx", "avx2", "fma", "sse4_2")));
        assertTrue(f.contains("flush_l1d") && f.contains("fpu"));
        assertEquals(Optional.empty(), f.stream().filter(s -> s.startsWith("avx512")).findAny());
        assertEquals(106, f.size()); // the first processor's line (106 words), not the second's three
        assertEquals(Optional.of("Intel(R) Xeon(R) CPU E5-2680 v3 @ 2.50GHz"), CpuNatives.parseModelName(HASWELL));
        // aarch64 /proc/cpuinfo has "Features", not "flags": nothing to check
        assertEquals(Optional.empty(), CpuNatives.parseCpuFlags("processor\t: 0\nFeatures\t: fp asimd evtstrm aes pmull\n"));
    }

    @Test
    void avx512BuildOnAHaswellFailsWithTheReason() {
        Set<String> f = CpuNatives.parseCpuFlags(HASWELL).orElseThrow();
        assertEquals(List.of("avx512f", "avx512vl", "avx512bw", "avx512dq", "avx512cd"),
                CpuNatives.missing("linux-x86_64-onednn-avx512", f));
        assertEquals("linux-x86_64-avx2", CpuNatives.bestFor(f));
        assertEquals(Optional.of("the native build linux-x86_64-onednn-avx512 needs the instruction sets avx avx2 avx512f avx512vl "
                + "avx512bw avx512dq avx512cd and this CPU lacks avx512f avx512vl avx512bw avx512dq avx512cd; build for this CPU "
                + "with mvn -B -DskipTests -Dnd4j.classifier=linux-x86_64-avx2 package (./headlens then runs that build)"),
                CpuNatives.problem("linux-x86_64-onednn-avx512", f));
        assertEquals(Optional.empty(), CpuNatives.problem("linux-x86_64-avx2", f));
        assertEquals(Optional.empty(), CpuNatives.problem("linux-x86_64", f));
    }

    @Test
    void avx512FoundationAloneIsNotEnough() {
        Set<String> knl = CpuNatives.parseCpuFlags(KNL_FLAGS).orElseThrow();
        assertEquals(List.of("avx512vl", "avx512bw", "avx512dq"), CpuNatives.missing("linux-x86_64-avx512", knl));
        assertEquals("linux-x86_64-avx2", CpuNatives.bestFor(knl));
        Set<String> spr = CpuNatives.parseCpuFlags(SPR_FLAGS).orElseThrow();
        assertEquals(Optional.empty(), CpuNatives.problem("linux-x86_64-onednn-avx512", spr));
        assertEquals("linux-x86_64-onednn-avx512", CpuNatives.bestFor(spr));
        Set<String> old = Set.of("fpu", "sse", "sse2", "avx"); // Sandy Bridge: AVX without AVX2
        assertEquals(List.of("avx2"), CpuNatives.missing("linux-x86_64-avx2", old));
        assertEquals("linux-x86_64", CpuNatives.bestFor(old));
    }

    @Test
    void javacppLoadsTheFirstExtensionInItsOrder() {
        // The default build has the onednn-avx512 jar plus the bare-platform jar its POM brings along
        Set<String> present = Set.of(CpuNatives.library("linux-x86_64-onednn-avx512"), CpuNatives.library("linux-x86_64"));
        assertEquals(List.of("linux-x86_64-onednn-avx512", "linux-x86_64"), CpuNatives.onClassPath(present::contains));
        Set<String> avx2 = Set.of(CpuNatives.library("linux-x86_64"), CpuNatives.library("linux-x86_64-avx2"));
        assertEquals(List.of("linux-x86_64-avx2", "linux-x86_64"), CpuNatives.onClassPath(avx2::contains));
        assertEquals("org/nd4j/linalg/cpu/nativecpu/bindings/linux-x86_64-avx2/libjnind4jcpu.so", CpuNatives.library("linux-x86_64-avx2"));
    }
}
