package headlens.backend;

import headlens.backend.GpuSupport.Capability;
import headlens.backend.GpuSupport.Gpu;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The GPU decision over constructed device lists. Expected kernels are worked out by hand from CUDA's binary
 * compatibility rule (a cubin for X.y runs on X.z, z >= y; no PTX, so nothing crosses a major version) applied to the
 * SASS list cuobjdump showed in nd4j-cuda-11.6 1.0.0-M2.1 (sm_37 50 52 60 61 70 75 80 86).
 */
class GpuSupportTest {
    private static Gpu gpu(int index, String name, long mib, int major, int minor, String driver) {
        return new Gpu(index, name, mib, new Capability(major, minor), driver);
    }

    private static final Gpu T4 = gpu(0, "Tesla T4", 15360, 7, 5, "535.104.05");
    private static final Gpu A100 = gpu(1, "NVIDIA A100-SXM4-40GB", 40960, 8, 0, "535.104.05");
    private static final Gpu H100 = gpu(0, "NVIDIA H100 80GB HBM3", 81559, 9, 0, "535.129.03");
    private static final Gpu K20 = gpu(0, "Tesla K20m", 4743, 3, 5, "470.82.01");

    private static Optional<String> kernel(int major, int minor) {
        return GpuSupport.kernelFor(new Capability(major, minor)).map(Capability::sm);
    }

    @Test
    void kernelsByBinaryCompatibility() {
        assertEquals(Optional.of("sm_75"), kernel(7, 5));   // T4: exact
        assertEquals(Optional.of("sm_80"), kernel(8, 0));   // A100: exact
        assertEquals(Optional.of("sm_86"), kernel(8, 6));   // RTX 30xx
        assertEquals(Optional.of("sm_86"), kernel(8, 9));   // Ada (RTX 40xx, L4, L40): sm_86 cubin, 9 >= 6
        assertEquals(Optional.of("sm_86"), kernel(8, 7));   // Orin: 7 >= 6
        assertEquals(Optional.of("sm_70"), kernel(7, 2));   // Xavier: sm_70, not sm_75
        assertEquals(Optional.of("sm_52"), kernel(5, 3));   // TX1
        assertEquals(Optional.of("sm_61"), kernel(6, 2));   // TX2
        assertEquals(Optional.of("sm_37"), kernel(3, 7));   // K80
        assertEquals(Optional.empty(), kernel(3, 5));       // K20/K40: 5 < 7
        assertEquals(Optional.empty(), kernel(3, 0));
        assertEquals(Optional.empty(), kernel(2, 1));       // Fermi
        assertEquals(Optional.empty(), kernel(9, 0));       // Hopper: no sm_9x SASS, no PTX
        assertEquals(Optional.empty(), kernel(10, 0));      // Blackwell B200
        assertEquals(Optional.empty(), kernel(12, 0));      // Blackwell RTX 50xx
    }

    @Test
    void supportedGpusAreUsable() {
        GpuSupport.Assessment a = GpuSupport.assess(new GpuSupport.Devices(List.of(T4, A100)), null);
        assertTrue(a.usable(), a.problems().toString());
        assertEquals(List.of("sm_75", "sm_80"), a.verdicts().stream().map(v -> v.kernel().orElseThrow().sm()).toList());
        assertEquals("GPU 0: Tesla T4, 15360 MiB, compute capability 7.5 (Turing): runs the sm_75 kernels", a.verdicts().get(0).line());
        Gpu ada = gpu(0, "NVIDIA L4", 23034, 8, 9, "550.54.15");
        GpuSupport.Verdict v = GpuSupport.check(ada);
        assertTrue(v.ok());
        assertEquals("NVIDIA L4, 23034 MiB, compute capability 8.9 (Ada): runs the sm_86 kernels (binary compatible within "
                + "compute capability 8.x)", v.description());
    }

    @Test
    void hopperIsRefusedWithTheReason() {
        GpuSupport.Assessment a = GpuSupport.assess(new GpuSupport.Devices(List.of(H100)), null);
        assertFalse(a.usable());
        assertEquals(List.of("GPU 0: NVIDIA H100 80GB HBM3, 81559 MiB, compute capability 9.0 (Hopper): no kernels for it: "
                + "newer than the newest kernels in nd4j-cuda-11.6 1.0.0-M2.1 (sm_86), which has no PTX to compile for it"), a.problems());
    }

    @Test
    void oldKeplerIsRefusedWithTheReason() {
        GpuSupport.Verdict v = GpuSupport.check(K20);
        assertFalse(v.ok());
        assertEquals("GPU 0: Tesla K20m, 4743 MiB, compute capability 3.5 (Kepler): no kernels for it: older than the sm_37 "
                + "kernels of its architecture in nd4j-cuda-11.6 1.0.0-M2.1", v.line());
        assertTrue(GpuSupport.check(gpu(0, "Quadro 4000", 2048, 2, 0, "390.1")).reason()
                .endsWith("older than the oldest kernels in nd4j-cuda-11.6 1.0.0-M2.1 (sm_37)"));
    }

    @Test
    void everyVisibleGpuMustBeDrivable() {
        Gpu h100 = gpu(1, "NVIDIA H100 PCIe", 81559, 9, 0, "535.104.05");
        GpuSupport.Devices mixed = new GpuSupport.Devices(List.of(T4, h100));
        GpuSupport.Assessment all = GpuSupport.assess(mixed, null);
        assertFalse(all.usable());
        assertEquals(1, all.problems().size());
        assertTrue(all.problems().get(0).startsWith("GPU 1: NVIDIA H100 PCIe"), all.problems().get(0));
        assertTrue(GpuSupport.assess(mixed, "0").usable());            // CUDA_VISIBLE_DEVICES hides the H100
        assertFalse(GpuSupport.assess(mixed, "1").usable());
        assertFalse(GpuSupport.assess(mixed, "GPU-5f1c2a3e").usable()); // not an index list: all checked
        GpuSupport.Assessment none = GpuSupport.assess(mixed, "");
        assertEquals(List.of("the CUDA build (nd4j-cuda-11.6 1.0.0-M2.1) found no GPU among CUDA_VISIBLE_DEVICES= (the driver lists 2)"),
                none.problems());
    }

    @Test
    void noDriverAndNoDevices() {
        GpuSupport.Assessment a = GpuSupport.assess(new GpuSupport.Unavailable("nvidia-smi is not on the PATH"), null);
        assertEquals(List.of("the CUDA build (nd4j-cuda-11.6 1.0.0-M2.1) needs an NVIDIA driver and none answered: "
                + "nvidia-smi is not on the PATH"), a.problems());
        assertEquals(List.of("the CUDA build (nd4j-cuda-11.6 1.0.0-M2.1) found no GPU"),
                GpuSupport.assess(new GpuSupport.Devices(List.of()), null).problems());
    }

    @Test
    void driverOlderThanCuda11IsRefused() {
        Gpu v100 = gpu(0, "Tesla V100-SXM2-16GB", 16160, 7, 0, "418.87.01");
        List<String> p = GpuSupport.assess(new GpuSupport.Devices(List.of(v100)), null).problems();
        assertEquals(1, p.size());
        assertTrue(p.get(0).startsWith("NVIDIA driver 418.87.01 is older than 450.80.02"), p.get(0));
        assertTrue(GpuSupport.assess(new GpuSupport.Devices(List.of(gpu(0, "Tesla V100-SXM2-16GB", 16160, 7, 0, "450.80.02"))), null).usable());
        assertTrue(GpuSupport.compareVersions("450.80.02", "450.80.2") == 0);
        assertTrue(GpuSupport.compareVersions("460.32.03", "450.80.02") > 0);
        assertTrue(GpuSupport.compareVersions("450.51.06", "450.80.02") < 0);
    }

    @Test
    void parsesNvidiaSmiQueryOutput() {
        // nvidia-smi --query-gpu=index,compute_cap,memory.total,driver_version,name --format=csv,noheader,nounits
        String nounits = "0, 9.0, 81559, 535.129.03, NVIDIA H100 80GB HBM3\n1, 8.0, 40960, 535.129.03, NVIDIA A100-SXM4-40GB\n";
        List<Gpu> g = GpuSupport.parseNvidiaSmi(nounits);
        assertEquals(List.of(new Gpu(0, "NVIDIA H100 80GB HBM3", 81559, new Capability(9, 0), "535.129.03"),
                new Gpu(1, "NVIDIA A100-SXM4-40GB", 40960, new Capability(8, 0), "535.129.03")), g);
        // without nounits memory carries its unit; CRLF line ends
        assertEquals(List.of(new Gpu(0, "Tesla T4", 15360, new Capability(7, 5), "470.82.01")),
                GpuSupport.parseNvidiaSmi("0, 7.5, 15360 MiB, 470.82.01, Tesla T4\r\n"));
        // a field the driver cannot fill
        Gpu unknown = GpuSupport.parseNvidiaSmi("0, [N/A], [N/A], 510.47.03, NVIDIA GeForce GTX 1080").get(0);
        assertEquals(null, unknown.capability());
        GpuSupport.Verdict v = GpuSupport.check(unknown);
        assertFalse(v.ok());
        assertTrue(v.line().startsWith("GPU 0: NVIDIA GeForce GTX 1080, memory unknown, compute capability unknown: "), v.line());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GpuSupport.parseNvidiaSmi("0, 7.5\n"));
        assertTrue(e.getMessage().contains("line 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GpuSupport.parseNvidiaSmi("x, 7.5, 15360, 470.82.01, Tesla T4"));
    }

    @Test
    void interpretsNvidiaSmiFailures() {
        assertEquals(new GpuSupport.Devices(List.of()), NvidiaSmi.interpret(6, "No devices were found\n"));
        GpuSupport.Probe p = NvidiaSmi.interpret(9, "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. "
                + "Make sure that the latest NVIDIA driver is installed and running.\n\n");
        assertEquals(new GpuSupport.Unavailable("nvidia-smi exited with status 9: NVIDIA-SMI has failed because it couldn't "
                + "communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running."), p);
        GpuSupport.Probe old = NvidiaSmi.interpret(2, "Field \"compute_cap\" is not a valid field to query.\n");
        assertTrue(old instanceof GpuSupport.Unavailable u && u.reason().contains("R510"), old.toString());
        GpuSupport.Probe ok = NvidiaSmi.interpret(0, "0, 7.5, 15360, 535.104.05, Tesla T4\n");
        assertEquals(new GpuSupport.Devices(List.of(T4)), ok);
    }

    @Test
    void probesAProcessLikeNvidiaSmi(@TempDir Path dir) throws Exception {
        // a stand-in that answers as nvidia-smi does on an H100 machine, then one that fails as without a driver
        Path smi = dir.resolve("nvidia-smi");
        Files.writeString(smi, "#!/bin/sh\necho '0, 9.0, 81559, 535.129.03, NVIDIA H100 80GB HBM3'\n");
        Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwx------"));
        assertEquals(new GpuSupport.Devices(List.of(H100)), NvidiaSmi.probe(List.of(smi.toString())));
        Files.writeString(smi, "#!/bin/sh\necho 'NVIDIA-SMI has failed because it couldn'\\''t communicate with the NVIDIA driver.' >&2\nexit 9\n");
        assertEquals(new GpuSupport.Unavailable("nvidia-smi exited with status 9: NVIDIA-SMI has failed because it couldn't "
                + "communicate with the NVIDIA driver."), NvidiaSmi.probe(List.of(smi.toString())));
        Path none = dir.resolve("no-such-nvidia-smi");
        GpuSupport.Probe p = NvidiaSmi.probe(List.of(none.toString()));
        assertTrue(p instanceof GpuSupport.Unavailable u && u.reason().endsWith("is not on the PATH (no NVIDIA driver installed?)"), p.toString());
    }
}
