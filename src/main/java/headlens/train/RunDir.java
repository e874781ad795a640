package headlens.train;

import headlens.convert.ModelFiles;
import headlens.core.HeadlensException;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A fine-tuning run directory: a tagger's model directory ({@code headlens.tagger.TaggerDir} reads and writes it) with
 * {@code checkpoint/} and {@code logs/} beside it. Here: claiming one for a run, and the OS lock that keeps a second
 * process out of a run directory or a sweep unit.
 */
public final class RunDir {
    /** The lock file of a run directory (never deleted: see {@link Lock}). */
    public static final String LOCK_FILE = ".headlens.lock";

    private RunDir() {}

    /**
     * Takes a run directory for a new run: refuses one that another live process is writing, and an existing
     * non-empty one unless {@code resume} (continue its checkpoint) or {@code overwrite} (its earlier outputs are
     * deleted first, as HuggingFace's {@code overwrite_output_dir} allows). Hold the returned lock for the whole run.
     */
    public static Lock claim(Path runDir, boolean resume, boolean overwrite) {
        if (resume && overwrite) throw new HeadlensException("give either --resume or --overwrite, not both");
        try {
            Files.createDirectories(runDir);
        } catch (IOException e) {
            throw new HeadlensException(runDir + ": cannot create: " + e.getMessage(), e);
        }
        Lock lock = Lock.tryAcquire(runDir.resolve(LOCK_FILE));
        if (lock == null)
            throw new HeadlensException(runDir + ": another headlens process (" + Lock.holder(runDir.resolve(LOCK_FILE))
                    + ") is writing this run directory");
        try {
            List<Path> entries;
            try (Stream<Path> s = Files.list(runDir)) {
                entries = s.filter(p -> !p.getFileName().toString().equals(LOCK_FILE)).toList();
            }
            if (!entries.isEmpty() && !resume && !overwrite)
                throw new HeadlensException(runDir + ": not empty (" + entries.size() + " entries, e.g. " + entries.get(0).getFileName()
                        + "); give --resume to continue that run or --overwrite to replace it");
            if (overwrite)
                for (String f : List.of("checkpoint", "checkpoint.old", "logs", "metrics.json", ModelFiles.WEIGHTS, ModelFiles.CONFIG, "head_mask.json"))
                    if (Files.exists(runDir.resolve(f))) org.apache.commons.io.FileUtils.forceDelete(runDir.resolve(f).toFile());
        } catch (IOException e) {
            lock.close();
            throw new HeadlensException(runDir + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
        return lock;
    }

    /**
     * An exclusive, advisory OS lock on a small file ({@link FileChannel#tryLock}, i.e. POSIX {@code fcntl} record
     * locks on Linux): the kernel (or the NFSv4/Lustre lock manager) drops it when the holding process dies, so a
     * killed run never leaves a stale lock. The file itself stays (deleting it would let two processes lock two
     * different inodes) and holds "pid@host" of the last holder for messages. fcntl locks belong to the process and
     * vanish when ANY descriptor of the file is closed in it, so this JVM never opens a file that it holds itself.
     */
    public static final class Lock implements AutoCloseable {
        private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();
        private final Path file;
        private final FileChannel channel;
        private final FileLock lock;

        private Lock(Path file, FileChannel channel, FileLock lock) {
            this.file = file;
            this.channel = channel;
            this.lock = lock;
        }

        /** The lock, or null when another process (or this one) holds it. */
        public static Lock tryAcquire(Path file) {
            return acquire(file, false);
        }

        /** Blocks until the lock is free; {@code onWait} is told who holds it before waiting. */
        public static Lock acquire(Path file, Consumer<String> onWait) {
            Lock l = tryAcquire(file);
            if (l != null) return l;
            onWait.accept(holder(file));
            return acquire(file, true);
        }

        private static Lock acquire(Path file, boolean block) {
            Path key = file.toAbsolutePath().normalize();
            synchronized (Lock.class) {   // fcntl cannot tell this JVM's threads apart: they queue here
                while (HELD.contains(key)) {
                    if (!block) return null;
                    try {
                        Lock.class.wait(200);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new HeadlensException(file + ": interrupted while waiting for the lock", e);
                    }
                }
                HELD.add(key);
            }
            FileChannel ch = null;
            try {
                Files.createDirectories(key.getParent());
                ch = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
                FileLock fl = block ? ch.lock() : ch.tryLock();
                if (fl == null) {
                    ch.close();
                    unreserve(key);
                    return null;
                }
                ch.truncate(0);
                ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "@" + host() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
                ch.force(false);
                return new Lock(key, ch, fl);
            } catch (IOException | OverlappingFileLockException e) {
                try { if (ch != null) ch.close(); } catch (IOException ignored) { }
                unreserve(key);
                throw new HeadlensException(file + ": cannot lock: " + e.getMessage(), e);
            }
        }

        private static void unreserve(Path key) {
            synchronized (Lock.class) {
                HELD.remove(key);
                Lock.class.notifyAll();
            }
        }

        /** Whether some live process holds the lock (this one included). */
        public static boolean isHeld(Path file) {
            if (!Files.exists(file)) return false;
            Lock l = tryAcquire(file);
            if (l == null) return true;
            l.close();
            return false;
        }

        /** "pid@host" of the holder as it wrote it, or "unknown". */
        public static String holder(Path file) {
            Path key = file.toAbsolutePath().normalize();
            if (HELD.contains(key)) return ProcessHandle.current().pid() + "@" + host() + ", this process";
            try {
                String s = Files.readString(key, StandardCharsets.UTF_8).strip();
                return s.isEmpty() || s.length() > 300 ? "unknown" : "pid " + s;
            } catch (IOException e) {
                return "unknown";
            }
        }

        private static String host() {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                return ManagementFactory.getRuntimeMXBean().getName();
            }
        }

        @Override
        public void close() {
            try {
                if (lock.isValid()) lock.release();
                channel.close();
            } catch (IOException ignored) {
                // closing the channel releases the lock in any case
            } finally {
                unreserve(file);
            }
        }
    }
}
