package headlens.sweep;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts a real second JVM on the test classpath (OS file locks are per process, so lock tests need one). */
public final class Jvm {
    private Jvm() {}

    public static Process start(Path log, Class<?> main, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Dorg.bytedeco.javacpp.maxbytes=2G", "-Dorg.bytedeco.javacpp.maxphysicalbytes=3G",
                "-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
        return pb.start();
    }

    /** A shell script that runs the headlens CLI of this classpath, for generated scripts that call the launcher. */
    public static Path launcher(Path file) throws IOException {
        String bin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        java.nio.file.Files.writeString(file, "#!/usr/bin/env bash\nexec '" + bin + "' -Xmx512m -cp '"
                + System.getProperty("java.class.path") + "' headlens.cli.Main \"$@\"\n");
        file.toFile().setExecutable(true);
        return file;
    }

    /** Waits until the file contains the text (the other JVM's log), or fails after the timeout. */
    public static void awaitText(Path file, String text, long timeoutMs, Process p) throws Exception {
        long end = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < end) {
            if (java.nio.file.Files.exists(file) && java.nio.file.Files.readString(file).contains(text)) return;
            if (!p.isAlive()) throw new AssertionError("process ended before printing '" + text + "': " + java.nio.file.Files.readString(file));
            Thread.sleep(50);
        }
        throw new AssertionError("no '" + text + "' within " + timeoutMs + " ms: " + java.nio.file.Files.readString(file));
    }

    /** Holds the lock given as args[0] until killed, or until stdin closes. */
    public static final class LockHolder {
        public static void main(String[] args) throws Exception {
            headlens.train.RunDir.Lock l = headlens.train.RunDir.Lock.tryAcquire(Path.of(args[0]));
            System.out.println(l == null ? "busy" : "held");
            System.out.flush();
            while (System.in.read() >= 0) { }   // the test kills it; if the test JVM dies first, stdin closes
            System.exit(0);
        }
    }
}
