package headlens.train;

import headlens.core.AtomicFiles;
import headlens.core.HeadlensException;
import headlens.core.Json;
import headlens.io.Npz;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A resumable training state in {@code RUN_DIR/checkpoint/}: {@code weights.npz} (every weight, classifier included),
 * {@code optimizer.npz} (AdamW moments), {@code state.json} ({@link State}). Written by
 * {@link AtomicFiles#writeDirectory} (into {@code checkpoint.tmp/}, then swapped in by renames); a crash at any point
 * leaves either the new or the previous checkpoint ({@code checkpoint.old/}) complete, and {@link #load} takes
 * whichever is whole.
 */
public final class Checkpoint {
    /**
     * Where the loop stands. Dropout masks are drawn from ND4J's RNG seeded with {@code seed + step} and batches are
     * shuffled with {@code seed + epoch}, so (seed, step, epoch, batch) is the whole random state.
     */
    public record State(long step, int epoch, int batchInEpoch, long seed, double bestScore, long bestStep,
                        int evalsWithoutGain, boolean finished, String configFingerprint, java.util.List<String> labels) {}

    public record Loaded(State state, Map<String, INDArray> weights, Map<String, INDArray> optimizer) {}

    private static final String DIR = "checkpoint";

    private Checkpoint() {}

    public static void save(Path runDir, Map<String, INDArray> weights, Map<String, INDArray> optimizer, State state) {
        try {
            AtomicFiles.writeDirectory(runDir.resolve(DIR), dir -> {
                Npz.write(dir.resolve("weights.npz"), weights);
                Npz.write(dir.resolve("optimizer.npz"), optimizer);
                Files.writeString(dir.resolve("state.json"), Json.INDENTED.writeValueAsString(state));
                return null;
            });
        } catch (IOException e) {
            throw new HeadlensException(runDir + ": cannot write checkpoint: " + e.getMessage(), e);
        }
    }

    /** The newest complete checkpoint of a run, or null when there is none. */
    public static Loaded load(Path runDir) {
        for (Path dir : new Path[]{runDir.resolve(DIR), AtomicFiles.previous(runDir.resolve(DIR))}) {
            if (!Files.isRegularFile(dir.resolve("state.json"))) continue;
            try {
                State s = Json.MAPPER.readValue(dir.resolve("state.json").toFile(), State.class);
                return new Loaded(s, Npz.read(dir.resolve("weights.npz")), Npz.read(dir.resolve("optimizer.npz")));
            } catch (IOException e) {
                throw new HeadlensException(dir.resolve("state.json") + ": unreadable checkpoint state: " + e.getMessage(), e);
            }
        }
        return null;
    }
}
