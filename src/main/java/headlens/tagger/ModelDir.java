package headlens.tagger;

import headlens.config.EncoderConfig;
import headlens.convert.ModelFiles;
import headlens.convert.Tensor;
import headlens.core.HeadlensException;
import headlens.model.HeadMask;
import org.apache.commons.io.file.PathUtils;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The one writer of model directories (a tagger's RUN_DIR, the sweep's {@code work/base}, {@code prune}'s output):
 * {@code config.json}, {@code model.safetensors} (F32), the tokenizer files and {@link HeadMask#FILE} (none for an
 * empty mask). Everything is written into a temporary directory first and renamed into place: a new directory appears
 * whole in one rename; into an existing one (a RUN_DIR also holds {@code checkpoint/} and {@code logs/}, which stay)
 * each file is renamed over its old version, {@code config.json} last.
 */
public final class ModelDir {
    private ModelDir() {}

    public static void write(Path dir, EncoderConfig cfg, Map<String, INDArray> weights, List<Path> tokenizerFiles, HeadMask mask) {
        List<Tensor> tensors = new ArrayList<>();
        for (var e : weights.entrySet()) {
            INDArray a = e.getValue();
            float[] v = a.length() == 0 ? new float[0] : a.castTo(DataType.FLOAT).dup('c').data().asFloat();
            tensors.add(Tensor.ofFloats(e.getKey(), a.shape(), v));
        }
        Path target = dir.toAbsolutePath().normalize();
        boolean exists = Files.isDirectory(target);
        // beside the files it replaces (same file system, so the renames are atomic); a killed write's leftover is cleared
        Path tmp = exists ? target.resolve(".headlens-model.tmp") : target.resolveSibling("." + target.getFileName() + ".headlens-tmp");
        try {
            if (Files.exists(tmp)) PathUtils.deleteDirectory(tmp);
            ModelFiles.write(tmp, cfg, tensors, tokenizerFiles);
            mask.write(tmp, cfg);
            if (!exists) {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                return;
            }
            List<Path> files;
            try (Stream<Path> s = Files.list(tmp)) {
                files = s.filter(f -> !isConfig(f)).sorted().toList();
            }
            for (Path f : files) replace(f, target);
            if (mask.isEmpty()) Files.deleteIfExists(target.resolve(HeadMask.FILE));
            replace(tmp.resolve(ModelFiles.CONFIG), target);
        } catch (IOException e) {
            throw new HeadlensException(dir + ": cannot write the model directory: " + e.getMessage(), e);
        } finally {
            try {
                if (Files.exists(tmp)) PathUtils.deleteDirectory(tmp);
            } catch (IOException ignored) {
                // cleared by the next write
            }
        }
    }

    private static void replace(Path file, Path dir) throws IOException {
        Files.move(file, dir.resolve(file.getFileName()), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static boolean isConfig(Path f) {
        return f.getFileName().toString().equals(ModelFiles.CONFIG);
    }
}
