package headlens.backend;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Asks the NVIDIA driver for its GPUs through nvidia-smi's documented query interface, so that nothing here needs the
 * CUDA jars (or loads CUDA) to compile or run.
 */
public final class NvidiaSmi {
    private NvidiaSmi() {}

    /** The query {@link GpuSupport#parseNvidiaSmi} reads. */
    public static final List<String> COMMAND = List.of("nvidia-smi",
            "--query-gpu=index,compute_cap,memory.total,driver_version,name", "--format=csv,noheader,nounits");

    private static final long TIMEOUT_S = 30;
    private static final int MAX_OUTPUT = 1 << 20;

    /** Runs {@link #COMMAND}: the GPUs, or why the driver cannot be asked. */
    public static GpuSupport.Probe probe() {
        return probe(COMMAND);
    }

    /** Runs {@code command} (nvidia-smi or a stand-in for it) and interprets what it prints. */
    static GpuSupport.Probe probe(List<String> command) {
        Path out = null;
        Process p = null;
        try {
            // output to a file, so that a hung nvidia-smi cannot block a read past the timeout
            out = Files.createTempFile("headlens-nvidia-smi", ".txt");
            try {
                p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            } catch (IOException e) {
                return new GpuSupport.Unavailable(command.get(0) + " is not on the PATH (no NVIDIA driver installed?)");
            }
            p.getOutputStream().close();
            if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new GpuSupport.Unavailable("nvidia-smi did not answer within " + TIMEOUT_S + " s");
            }
            byte[] text;
            try (InputStream in = Files.newInputStream(out)) {
                text = in.readNBytes(MAX_OUTPUT);
            }
            return interpret(p.exitValue(), new String(text, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new GpuSupport.Unavailable("running nvidia-smi failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            return new GpuSupport.Unavailable("interrupted while waiting for nvidia-smi");
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException e) {
                    // a temp file left behind is harmless
                }
            }
        }
    }

    /** nvidia-smi's exit status and output as a probe result. */
    static GpuSupport.Probe interpret(int exit, String output) {
        String first = output.strip().lines().findFirst().orElse("").strip();
        if (exit == 0) {
            try {
                return new GpuSupport.Devices(GpuSupport.parseNvidiaSmi(output));
            } catch (IllegalArgumentException e) {
                return new GpuSupport.Unavailable("unexpected nvidia-smi output: " + e.getMessage());
            }
        }
        if (output.contains("No devices were found")) return new GpuSupport.Devices(List.of());
        if (output.contains("compute_cap")) {
            return new GpuSupport.Unavailable("this driver's nvidia-smi cannot report compute capabilities (R510 and newer "
                    + "can): " + first);
        }
        return new GpuSupport.Unavailable("nvidia-smi exited with status " + exit + (first.isEmpty() ? "" : ": " + first));
    }
}
