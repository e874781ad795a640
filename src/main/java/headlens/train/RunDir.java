package headlens.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import headlens.config.EncoderConfig;
import headlens.convert.ModelFiles;
import headlens.convert.Tensor;
import headlens.core.HeadlensException;
import headlens.data.LabelMap;
import headlens.model.Encoder;
import headlens.model.ModelSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A fine-tuning run directory is itself a model directory: {@code config.json} with {@code id2label}/{@code label2id}
 * (and {@code headlens_task}), {@code model.safetensors} with {@code classifier.weight/bias}, the base model's tokenizer
 * files; next to them {@code checkpoint/} and {@code logs/}.
 */
public final class RunDir {
    public static final String TASK_FIELD = "headlens_task";

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

    /** Writes the model files of a tagger (each file atomically). */
    public static void writeModel(Path runDir, EncoderConfig base, TokenClassifier model, LabelMap labels, String task,
                                  List<Path> tokenizerFiles) {
        ObjectNode json = base.toJson();
        ObjectNode id2label = json.putObject("id2label"), label2id = json.putObject("label2id");
        for (int i = 0; i < labels.size(); i++) {
            id2label.put(String.valueOf(i), labels.label(i));
            label2id.put(labels.label(i), i);
        }
        json.put(TASK_FIELD, task);
        json.putArray("architectures").add(base.isXlmRoberta() ? "XLMRobertaForTokenClassification" : "BertForTokenClassification");
        EncoderConfig cfg = EncoderConfig.fromJson(json, runDir.resolve(ModelFiles.CONFIG).toString());
        List<Tensor> tensors = new ArrayList<>();
        for (Map.Entry<String, INDArray> e : model.encoder().weights().entrySet()) {
            INDArray a = e.getValue();
            tensors.add(Tensor.ofFloats(e.getKey(), a.shape(), a.castTo(DataType.FLOAT).dup('c').data().asFloat()));
        }
        ModelFiles.write(runDir, cfg, tensors, tokenizerFiles);
    }

    /** A tagger loaded from a run (or any model directory with {@code id2label} and a classifier). */
    public record Loaded(ModelSource source, TokenClassifier model, LabelMap labels, String task) {}

    public static Loaded load(Path dir, Encoder.Options options) {
        ModelSource src = ModelSource.load(dir);
        JsonNode id2label = src.config().raw().get("id2label");
        if (id2label == null || !id2label.isObject() || id2label.isEmpty())
            throw new HeadlensException(dir.resolve(ModelFiles.CONFIG) + ": no id2label (not a fine-tuned tagger; train one with `headlens train`)");
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < id2label.size(); i++) {
            JsonNode l = id2label.get(String.valueOf(i));
            if (l == null || !l.isTextual())
                throw new HeadlensException(dir.resolve(ModelFiles.CONFIG) + ": id2label has no label for id " + i);
            labels.add(l.asText());
        }
        if (!src.weights().containsKey(TokenClassifier.WEIGHT))
            throw new HeadlensException(dir.resolve(ModelFiles.WEIGHTS) + ": tensor '" + TokenClassifier.WEIGHT + "' is missing");
        TokenClassifier tc = TokenClassifier.create(src.config(), src.weights(), labels.size(), options, 0);
        headlens.model.HeadMask.read(dir, src.config()).apply(tc.encoder());   // heads pruned by mask (head_mask.json)
        String task = src.config().raw().path(TASK_FIELD).asText("ner");
        return new Loaded(src, tc, new LabelMap(labels), task);
    }
}
