package headlens.model;

import headlens.config.EncoderConfig;
import headlens.convert.Converter;
import headlens.convert.ModelFiles;
import headlens.convert.Tensor;
import headlens.core.HeadlensException;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A loaded model directory: {@code config.json} + {@code model.safetensors} (HuggingFace key names) + tokenizer files.
 * Weights are widened to float32 ND4J arrays.
 */
public record ModelSource(Path dir, EncoderConfig config, Map<String, INDArray> weights) {

    /** {@code $HEADLENS_HOME} (default {@code ~/.cache/headlens}): named models live in its {@code models/}. */
    public static Path home() {
        String home = System.getenv("HEADLENS_HOME");
        return home != null ? Path.of(home) : Path.of(System.getProperty("user.home"), ".cache", "headlens");
    }

    /** Where the embedded default model is unpacked: {@code $HEADLENS_HOME/models/all-minilm-l6-v2}. */
    public static Path defaultModelDir() {
        return home().resolve("models").resolve("all-minilm-l6-v2");
    }

    /**
     * A model directory argument: an existing path as given, else a name under {@code $HEADLENS_HOME/models}
     * ({@code mbert} after {@code headlens models pull mbert}).
     */
    public static Path resolve(Path dir) {
        if (Files.exists(dir) || dir.getNameCount() != 1) return dir;
        String name = dir.toString();
        if (name.equals("all-minilm-l6-v2")) return ensureDefaultModel();
        Path named = home().resolve("models").resolve(name);
        if (Files.isDirectory(named)) return named;
        throw new HeadlensException(dir + ": no such directory, and no model of that name in " + home().resolve("models")
                + (name.equals("mbert") ? " (run: headlens models pull mbert)" : ""));
    }

    /** The embedded default (all-MiniLM-L6-v2 from the langchain4j artifact), converted once and cached. */
    public static ModelSource defaultModel() {
        return load(ensureDefaultModel());
    }

    /** Converts the embedded default model on first use; returns its directory. */
    public static Path ensureDefaultModel() {
        Path dir = defaultModelDir();
        if (!Files.isRegularFile(dir.resolve(ModelFiles.WEIGHTS)) || !Files.isRegularFile(dir.resolve(ModelFiles.CONFIG))) {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new HeadlensException(dir + ": cannot create the default model directory: " + e.getMessage(), e);
            }
            Converter.defaultModel(dir);
        }
        return dir;
    }

    public static ModelSource load(Path dir) {
        dir = resolve(dir);
        if (!Files.isDirectory(dir)) throw new HeadlensException(dir + ": not a directory (expected a model directory)");
        EncoderConfig cfg = ModelFiles.readConfig(dir);
        Map<String, INDArray> w = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : ModelFiles.readWeights(dir, cfg).entrySet()) {
            Tensor t = e.getValue();
            w.put(e.getKey(), Nd4j.create(t.toFloats(), t.shape(), 'c'));
        }
        return new ModelSource(dir, cfg, w);
    }
}
