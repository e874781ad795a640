package headlens.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import headlens.core.HeadlensException;
import headlens.core.Json;
import headlens.data.Batch;
import headlens.data.Batches;
import headlens.data.Example;
import headlens.model.Encoder;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The fine-tuning loop on {@link TokenClassifier#lossAndGradients}: AdamW, linear warmup and decay, global-norm clipping,
 * length-bucketed seeded batches, dev evaluation every epoch (or every N updates), best-model keeping, early stopping,
 * atomic checkpoints and exact resume, a progress bar and a JSON-lines log ({@code RUN_DIR/logs/train.jsonl}).
 *
 * <p>Reproducibility: batch order of epoch e is drawn from {@code seed + e}; the dropout masks of update s from ND4J's
 * RNG seeded with {@code seed + s}. A resumed run therefore replays exactly what the uninterrupted run would have done.
 */
public final class Trainer {

    /** Scores a model on dev; higher is better. {@code details} go to the log. */
    public interface Evaluator {
        Evaluation evaluate(TokenClassifier model);
    }

    public record Evaluation(double score, Map<String, Object> details) {}

    /** What a run produced. */
    public record Result(long steps, double bestScore, long bestStep, boolean interrupted, boolean stoppedEarly) {}

    private final TokenClassifier model;
    private final List<Example> train;
    private final Evaluator dev;
    private final TrainConfig cfg;
    private final Path runDir;
    private final List<String> labels;
    private Consumer<TokenClassifier> onBest = m -> {};
    private boolean progress = true;
    private long stopAfterSteps = Long.MAX_VALUE;       // tests: simulate an interruption
    private volatile boolean stopRequested;

    public Trainer(TokenClassifier model, List<Example> train, Evaluator dev, TrainConfig cfg, Path runDir, List<String> labels) {
        this.model = model;
        this.train = List.copyOf(train);
        this.dev = dev;
        this.cfg = cfg;
        this.runDir = runDir;
        this.labels = List.copyOf(labels);
        if (train.isEmpty()) throw new HeadlensException("no training examples");
    }

    /** Called with the model whenever dev improves (the CLI writes the RUN_DIR model files there). */
    public Trainer onBest(Consumer<TokenClassifier> sink) { this.onBest = sink; return this; }

    public Trainer progress(boolean on) { this.progress = on; return this; }

    /** Stops (with a checkpoint) after that many updates in total, as an interruption would. */
    public Trainer stopAfter(long steps) { this.stopAfterSteps = steps; return this; }

    // ------------------------------------------------------------------------------------------------ batches

    /** Batches of epoch e: {@link Batches#shuffled} (length-bucketed) seeded with {@code seed + e}. */
    public List<Batch> plan(int epoch) {
        return Batches.shuffled(train, cfg.batchSize(), model.encoder().config().padTokenId(), cfg.seed() + epoch);
    }

    // ------------------------------------------------------------------------------------------------ loop

    public Result run(boolean resume) {
        Map<String, INDArray> weights = model.encoder().weights();
        List<String> trainable = model.trainableNames(cfg.freezeEmbeddings(), cfg.freezeLayers());
        AdamW adam = new AdamW(new AdamW.Params(0.9, 0.999, 1e-8, cfg.weightDecay()));
        int perEpoch = (train.size() + cfg.batchSize() - 1) / cfg.batchSize();
        long total = (long) perEpoch * cfg.epochs();
        // warm-up steps as HuggingFace's TrainingArguments.get_warmup_steps counts them: ceil(total · ratio)
        LinearSchedule schedule = new LinearSchedule(cfg.lr(), (long) Math.ceil(total * cfg.warmupRatio()), total);
        String fingerprint = fingerprint();

        Checkpoint.State st = new Checkpoint.State(0, 0, 0, cfg.seed(), Double.NEGATIVE_INFINITY, -1, 0, false, fingerprint, labels);
        if (resume) {
            Checkpoint.Loaded ck = Checkpoint.load(runDir);
            if (ck == null) throw new HeadlensException(runDir + ": --resume but no checkpoint/ to resume from");
            if (!ck.state().configFingerprint().equals(fingerprint))
                throw new HeadlensException(runDir.resolve("checkpoint/state.json") + ": written with other settings or data ("
                        + ck.state().configFingerprint() + "), now " + fingerprint);
            restoreWeights(weights, ck.weights());
            adam.restore(ck.optimizer(), ck.state().step());
            st = ck.state();
            if (st.finished()) return new Result(st.step(), st.bestScore(), st.bestStep(), false, false);
        }
        try {
            Files.createDirectories(runDir.resolve("logs"));
        } catch (IOException e) {
            throw new HeadlensException(runDir + ": cannot create: " + e.getMessage(), e);
        }

        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {          // Ctrl-C: let the loop finish its update, checkpoint, and exit
            stopRequested = true;
            try { done.await(10, TimeUnit.MINUTES); } catch (InterruptedException ignored) { }
        }, "headlens-train-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        long step = st.step();
        int epoch = st.epoch(), startBatch = st.batchInEpoch();
        double best = st.bestScore();
        long bestStep = st.bestStep();
        int bad = st.evalsWithoutGain();
        boolean interrupted = false, early = false;
        try (Writer log = Files.newBufferedWriter(runDir.resolve("logs/train.jsonl"), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
             ProgressBar bar = progressBar(total, step)) {
            logLine(log, Json.MAPPER.createObjectNode().put("event", resume ? "resume" : "start").put("step", step)
                    .put("total_steps", total).set("config", cfg.toJson()));
            double lossSum = 0, gradSecs = 0, updateSecs = 0;
            long tokens = 0, since = System.nanoTime(), logged = 0;
            outer:
            for (; epoch < cfg.epochs(); epoch++, startBatch = 0) {
                List<Batch> batches = plan(epoch);
                for (int b = startBatch; b < batches.size(); b++) {
                    Batch data = batches.get(b);
                    Encoder.Batch batch = TokenClassifier.input(data);
                    Nd4j.getRandom().setSeed(cfg.seed() + step);
                    long t0 = System.nanoTime();
                    TokenClassifier.Step s = model.lossAndGradients(batch, data.labelIds(), true, trainable);
                    long t1 = System.nanoTime();
                    double norm = AdamW.globalNorm(s.gradients());
                    double clip = cfg.maxGradNorm() > 0 ? Math.min(1.0, cfg.maxGradNorm() / (norm + 1e-6)) : 1.0;
                    double lr = schedule.lr(step);
                    adam.update(weights, s.gradients(), lr, clip);
                    model.release(s);
                    // Step arrays go back to the memory pool explicitly (model.release above, Gradients); an optional
                    // collection per N updates remains for anything left to the GC.
                    if (cfg.gcEvery() > 0 && step % cfg.gcEvery() == 0) System.gc();
                    gradSecs += (t1 - t0) / 1e9;
                    updateSecs += (System.nanoTime() - t1) / 1e9;
                    step++;
                    tokens += data.tokens();
                    lossSum += s.loss();
                    logged++;
                    if (bar != null) {
                        double secs = (System.nanoTime() - since) / 1e9;
                        bar.stepTo(step);
                        bar.setExtraMessage(String.format(" loss %.4f  %.0f tok/s", lossSum / logged, tokens / Math.max(secs, 1e-9)));
                    }
                    if (cfg.logEvery() > 0 && (step % cfg.logEvery() == 0 || b == batches.size() - 1)) {
                        double secs = (System.nanoTime() - since) / 1e9;
                        logLine(log, Json.MAPPER.createObjectNode().put("event", "step").put("step", step).put("epoch", epoch)
                                .put("loss", lossSum / logged).put("lr", lr).put("grad_norm", norm)
                                .put("tokens_per_s", tokens / Math.max(secs, 1e-9)).put("grad_s", gradSecs / logged)
                                .put("update_s", updateSecs / logged));
                        lossSum = 0; logged = 0; tokens = 0; since = System.nanoTime(); gradSecs = 0; updateSecs = 0;
                    }
                    boolean endOfEpoch = b == batches.size() - 1;
                    int nextEpoch = endOfEpoch ? epoch + 1 : epoch, nextBatch = endOfEpoch ? 0 : b + 1;
                    boolean evalNow = cfg.evalEvery() > 0 ? step % cfg.evalEvery() == 0 || step == total : endOfEpoch;
                    if (evalNow) {
                        Evaluation ev = dev.evaluate(model);
                        boolean better = ev.score() > best;
                        if (better) { best = ev.score(); bestStep = step; bad = 0; onBest.accept(model); } else bad++;
                        ObjectNode rec = Json.MAPPER.createObjectNode().put("event", "eval").put("step", step).put("epoch", epoch)
                                .put("score", ev.score()).put("best", best).put("improved", better);
                        rec.set("details", Json.MAPPER.valueToTree(ev.details()));
                        logLine(log, rec);
                        if (cfg.patience() > 0 && bad >= cfg.patience()) early = true;
                    }
                    boolean stop = stopRequested || step >= stopAfterSteps;
                    boolean last = early || (nextEpoch >= cfg.epochs());
                    if (evalNow || stop || last || (cfg.checkpointEvery() > 0 && step % cfg.checkpointEvery() == 0)) {
                        Checkpoint.save(runDir, weights, adam.state(), new Checkpoint.State(step, nextEpoch, nextBatch,
                                cfg.seed(), best, bestStep, bad, last, fingerprint, labels));
                    }
                    if (early) {
                        logLine(log, Json.MAPPER.createObjectNode().put("event", "early_stop").put("step", step).put("best_step", bestStep));
                        break outer;
                    }
                    if (stop && !last) {
                        interrupted = true;
                        logLine(log, Json.MAPPER.createObjectNode().put("event", "interrupted").put("step", step));
                        break outer;
                    }
                }
            }
            if (!interrupted) logLine(log, Json.MAPPER.createObjectNode().put("event", "end").put("step", step).put("best", best).put("best_step", bestStep));
        } catch (IOException e) {
            throw new HeadlensException(runDir.resolve("logs/train.jsonl") + ": " + e.getMessage(), e);
        } finally {
            done.countDown();
            try { Runtime.getRuntime().removeShutdownHook(hook); } catch (IllegalStateException shuttingDown) { /* hook is running */ }
        }
        return new Result(step, best, bestStep, interrupted, early);
    }

    private ProgressBar progressBar(long total, long start) {
        if (!progress) return null;
        ProgressBar bar = new ProgressBarBuilder().setTaskName("train").setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(500).continuousUpdate().setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err))
                .build();
        bar.stepTo(start);
        return bar;
    }

    private static void logLine(Writer w, ObjectNode n) throws IOException {
        w.write(Json.MAPPER.writeValueAsString(n));
        w.write('\n');
        w.flush();
    }

    /** Copies {@code saved} into {@code weights} in place (every weight must be there with its shape). */
    public static void restoreWeights(Map<String, INDArray> weights, Map<String, INDArray> saved) {
        for (var e : weights.entrySet()) {
            INDArray s = saved.get(e.getKey());
            if (s == null) throw new HeadlensException("checkpoint: weight '" + e.getKey() + "' is missing");
            if (!Arrays.equals(s.shape(), e.getValue().shape()))
                throw new HeadlensException("checkpoint: weight '" + e.getKey() + "' has shape " + Arrays.toString(s.shape()));
            e.getValue().assign(s);
        }
    }

    /** Settings and data that must match for a resume to continue the same run. */
    private String fingerprint() {
        long h = 1125899906842597L;
        for (Example e : train) { h = 31 * h + Arrays.hashCode(e.inputIds()); h = 31 * h + Arrays.hashCode(e.labelIds()); }
        h = 31 * h + cfg.withoutBookkeeping().toJson().toString().hashCode();   // a resume may checkpoint or log more often
        h = 31 * h + labels.hashCode();
        return "n" + train.size() + "-" + Long.toHexString(h);
    }

    public boolean stopRequested() { return stopRequested; }
}
