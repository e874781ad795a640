package headlens.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import headlens.core.HeadlensException;
import headlens.io.Npz;
import org.apache.commons.io.FileUtils;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * A resumable training state in {@code RUN_DIR/checkpoint/}: {@code weights.npz} (every weight, classifier included),
 * {@code optimizer.npz} (AdamW moments), {@code state.json} ({@link State}). Written into {@code checkpoint.tmp/},
 * then swapped in by renames; a crash at any point leaves either the new or the previous checkpoint
 * ({@code checkpoint.old/}) complete, and {@link #load} takes whichever is whole.
 */
public final class Checkpoint {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * Where the loop stands. Dropout masks are drawn from ND4J's RNG seeded with {@code seed + step} and batches are
     * shuffled with {@code seed + epoch}, so (seed, step, epoch, batch) is the whole random state.
     */
    public record State(long step, int epoch, int batchInEpoch, long seed, double bestScore, long bestStep,
                        int evalsWithoutGain, boolean finished, String configFingerprint, java.util.List<String> labels) {}

    public record Loaded(State state, Map<String, INDArray> weights, Map<String, INDArray> optimizer) {}

    private Checkpoint() {}

    public static void save(Path runDir, Map<String, INDArray> weights, Map<String, INDArray> optimizer, State state) {
        Path tmp = runDir.resolve("checkpoint.tmp"), cur = runDir.resolve("checkpoint"), old = runDir.resolve("checkpoint.old");
        try {
            FileUtils.deleteDirectory(tmp.toFile());
            Files.createDirectories(tmp);
            Npz.write(tmp.resolve("weights.npz"), weights);
            Npz.write(tmp.resolve("optimizer.npz"), optimizer);
            Files.writeString(tmp.resolve("state.json"), JSON.writeValueAsString(state));
            if (Files.exists(cur)) {
                FileUtils.deleteDirectory(old.toFile());
                Files.move(cur, old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(tmp, cur, StandardCopyOption.ATOMIC_MOVE);
            FileUtils.deleteDirectory(old.toFile());
        } catch (IOException e) {
            throw new HeadlensException(runDir + ": cannot write checkpoint: " + e.getMessage(), e);
        }
    }

    /** The newest complete checkpoint of a run, or null when there is none. */
    public static Loaded load(Path runDir) {
        for (String name : new String[]{"checkpoint", "checkpoint.old"}) {
            Path dir = runDir.resolve(name);
            if (!Files.isRegularFile(dir.resolve("state.json"))) continue;
            try {
                State s = JSON.readValue(dir.resolve("state.json").toFile(), State.class);
                return new Loaded(s, Npz.read(dir.resolve("weights.npz")), Npz.read(dir.resolve("optimizer.npz")));
            } catch (IOException e) {
                throw new HeadlensException(dir.resolve("state.json") + ": unreadable checkpoint state: " + e.getMessage(), e);
            }
        }
        return null;
    }
}
