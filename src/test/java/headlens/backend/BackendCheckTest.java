package headlens.backend;

import headlens.backend.BackendCheck.Backend;
import headlens.backend.BackendCheck.Host;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The start-up decision over constructed hosts, and on this JVM (the CPU build: nd4j-native on the test class path). */
class BackendCheckTest {
    static final Set<String> SPR = CpuNatives.parseCpuFlags(CpuNativesTest.SPR_FLAGS).orElseThrow();
    static final Set<String> HASWELL = CpuNatives.parseCpuFlags(CpuNativesTest.HASWELL).orElseThrow();
    static final List<String> DEFAULT_NATIVES = List.of("linux-x86_64-onednn-avx512", "linux-x86_64");

    static Host cpu(String requested, Set<String> flags) {
        return new Host(Backend.CPU, false, requested, DEFAULT_NATIVES, Optional.of(flags), Optional.empty(), null, null);
    }

    static Host cuda(String requested, GpuSupport.Probe gpus) {
        return new Host(Backend.CUDA, false, requested, List.of(), Optional.of(SPR), Optional.empty(), gpus, null);
    }

    @Test
    void cpuBuildOnACapableCpu() {
        BackendCheck.Result r = BackendCheck.assess(cpu(null, SPR));
        assertTrue(r.usable(), r.problems().toString());
        assertEquals(Optional.of("linux-x86_64-onednn-avx512"), r.classifier());
        assertTrue(BackendCheck.assess(cpu("cpu", SPR)).usable());
        assertTrue(BackendCheck.assess(cpu(" CPU ", SPR)).usable());
        // no flags to read (not x86 Linux): nothing is claimed
        assertTrue(BackendCheck.assess(new Host(Backend.CPU, false, null, DEFAULT_NATIVES, Optional.empty(), Optional.empty(), null, null)).usable());
    }

    @Test
    void avx512BuildOnAnAvx2CpuStops() {
        BackendCheck.Result r = BackendCheck.assess(cpu(null, HASWELL));
        assertFalse(r.usable());
        assertEquals(1, r.problems().size());
        assertTrue(r.problems().get(0).startsWith("the native build linux-x86_64-onednn-avx512 needs"), r.problems().get(0));
        assertEquals("", r.hint());
    }

    @Test
    void cudaBuildOnHopperStopsAndPointsToTheCpuBackend() {
        GpuSupport.Gpu h200 = new GpuSupport.Gpu(0, "NVIDIA H200", 143771, new GpuSupport.Capability(9, 0), "550.90.07");
        BackendCheck.Result r = BackendCheck.assess(cuda(null, new GpuSupport.Devices(List.of(h200))));
        assertFalse(r.usable());
        assertEquals(List.of("GPU 0: NVIDIA H200, 143771 MiB, compute capability 9.0 (Hopper): no kernels for it: newer than the "
                + "newest kernels in nd4j-cuda-11.6 1.0.0-M2.1 (sm_86), which has no PTX to compile for it"), r.problems());
        assertTrue(r.hint().contains("HEADLENS_BACKEND=cpu ./headlens"), r.hint());
        GpuSupport.Gpu a10 = new GpuSupport.Gpu(0, "NVIDIA A10G", 23028, new GpuSupport.Capability(8, 6), "535.104.05");
        assertTrue(BackendCheck.assess(cuda("cuda", new GpuSupport.Devices(List.of(a10)))).usable());
        assertFalse(BackendCheck.assess(cuda(null, new GpuSupport.Unavailable("nvidia-smi is not on the PATH"))).usable());
    }

    @Test
    void requestedBackendMustMatchTheBuild() {
        List<String> p = BackendCheck.assess(cpu("cuda", SPR)).problems();
        assertEquals(1, p.size());
        assertTrue(p.get(0).startsWith("HEADLENS_BACKEND=cuda, but this is the CPU build"), p.get(0));
        GpuSupport.Gpu t4 = new GpuSupport.Gpu(0, "Tesla T4", 15360, new GpuSupport.Capability(7, 5), "535.104.05");
        List<String> q = BackendCheck.assess(cuda("cpu", new GpuSupport.Devices(List.of(t4)))).problems();
        assertEquals(1, q.size());
        assertTrue(q.get(0).startsWith("HEADLENS_BACKEND=cpu, but this JVM would load the CUDA backend"), q.get(0));
        assertEquals(List.of("HEADLENS_BACKEND must be cpu or cuda, not 'gpu'"), BackendCheck.assess(cpu("gpu", SPR)).problems());
        assertEquals(List.of("no nd4j-native natives for linux-x86_64 on the class path (the jar with the nd4j.classifier of the "
                + "build is missing)"), BackendCheck.assess(new Host(Backend.CPU, false, null, List.of(), Optional.of(SPR),
                Optional.empty(), null, null)).problems());
        assertEquals(List.of("no ND4J backend on the class path (neither nd4j-native nor nd4j-cuda-11.6)"),
                BackendCheck.assess(new Host(Backend.NONE, false, null, List.of(), Optional.empty(), Optional.empty(), null, null)).problems());
    }

    @Test
    void nd4jPrefersTheGpuBackendUnlessTheEnvironmentSaysElse() {
        assertFalse(BackendCheck.cpuPreferred(Map.of()));
        assertFalse(BackendCheck.cpuPreferred(Map.of("BACKEND_PRIORITY_CPU", "100")));
        assertTrue(BackendCheck.cpuPreferred(Map.of("BACKEND_PRIORITY_CPU", "101")));
        assertTrue(BackendCheck.cpuPreferred(Map.of("BACKEND_PRIORITY_GPU", "-1")));
    }

    @Test
    void thisJvmIsTheCpuBuild() {
        Host h = BackendCheck.detect();
        Assumptions.assumeFalse(h.backend() == Backend.CUDA, "tests run on the CUDA build (mvn -Pcuda)");
        assertEquals(Backend.CPU, h.backend());
        assertEquals(null, h.gpus()); // nvidia-smi is asked only for the CUDA build
        assertFalse(h.cpuClassifiers().isEmpty(), "no CPU natives found on the class path");
        assertTrue(h.cpuClassifiers().contains("linux-x86_64"), h.cpuClassifiers().toString()); // nd4j-native's own POM brings it
    }
}
