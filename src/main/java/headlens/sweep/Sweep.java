package headlens.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import headlens.convert.ModelFiles;
import headlens.core.AtomicFiles;
import headlens.core.HeadlensException;
import headlens.core.Json;
import headlens.data.Batches;
import headlens.data.Example;
import headlens.data.LabelMap;
import headlens.data.Sentence;
import headlens.eval.Task;
import headlens.heads.HeadImportance;
import headlens.heads.HeadScores;
import headlens.heads.ImportanceReport;
import headlens.io.Npz;
import headlens.model.Encoder;
import headlens.model.HeadId;
import headlens.model.HeadLayout;
import headlens.model.HeadMask;
import headlens.model.ModelSource;
import headlens.report.RunResult;
import headlens.tagger.Tagger;
import headlens.tagger.TaggerDir;
import headlens.tokenize.Tokenizer;
import headlens.tokenize.Tokenizers;
import headlens.train.RunDir;
import headlens.train.TokenClassifier;
import headlens.train.TrainConfig;
import headlens.train.Trainer;
import org.apache.commons.io.FileUtils;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The paper's trial experiments. Trial k = 0 fine-tunes the pretrained encoder on the source language(s); its tagger
 * ranks the heads on the source dev set; then for every order (lowest = the paper's, highest and random = controls) and
 * k = 1..k_max, the k selected heads are masked and the tagger is fine-tuned again FROM THE PRETRAINED WEIGHTS with those
 * gates at 0 (as the authors' code does), and every target language is scored on dev and test at the best source-dev
 * epoch. Each finished trial is one JSON file under {@code output/trials/}, so an interrupted sweep continues at the
 * trial it was in (an unfinished trial resumes from its Trainer checkpoint under {@code work/}). Just before it, the
 * trial's {@code headlens-result/1} file appears under {@code output/results/} (per-sentence statistics for {@code
 * headlens report}). With masking train-only (config {@code masking}), a second set of trials masks the heads while
 * fine-tuning only and scores with every head active, as the authors' released code does.
 *
 * <p>The work is cut into the units of a {@link SweepPlan}; a plain run is every unit in order and then {@link #merge},
 * the same code a cluster runs one unit per task. Units may run at once in processes sharing {@code output}/{@code
 * work}: a unit holds an OS lock ({@link RunDir.Lock}, {@code work/locks/ID.lock}) while it runs, and its result file
 * appears by atomic rename when it is done. Trials never depend on each other (each starts from the pretrained
 * weights with a seeded trainer), so the merged result does not depend on where or in which order they ran.
 *
 * <p>Iterative mode (Michel et al.): starting from the k = 0 tagger, re-score the remaining heads, mask the lowest
 * {@code fraction} of all heads, score dev, and repeat while dev stays above {@code threshold} × the unpruned score.
 */
public final class Sweep {
    static final ObjectMapper JSON = Json.INDENTED;   // the short name SweepPlan and SweepReport use too

    private final SweepConfig cfg;
    private final SweepPlan plan;
    private final Path out, work;
    private final Path headsFile;   // the ranking the trials mask by: out/heads.json, or a seed replicate's grid's
    private final PrintStream log;
    private Path modelDir;
    private ModelSource pretrained;
    private Tokenizer tokenizer;
    private LabelMap labels;
    private TrainConfig training;
    private List<Example> trainExamples;
    private List<Sentence> sourceDev;
    private List<Example> sourceDevFeatures;
    private final Map<String, List<Sentence>> gold = new LinkedHashMap<>();      // "lang/dev", "lang/test"
    private final Map<String, List<Example>> features = new LinkedHashMap<>();
    private int trainSentences;
    private String sameAsSource;   // "lang/dev" of a target whose dev sentences are the source dev's
    private Task task;                         // also picks the metric (eval.Task)
    private String setting, modelName;         // what the result files (headlens-result/1) record, with the task
    private List<String> sources;
    private long stopAfterSteps = Long.MAX_VALUE;   // tests: interrupt every trial after that many updates
    private boolean baseChecked;                    // the k = 0 result's settings are checked once per instance

    public Sweep(SweepConfig cfg, PrintStream log) {
        this(cfg, null, log);
    }

    private Sweep(SweepConfig cfg, Path headsFrom, PrintStream log) {
        this.cfg = cfg;
        this.plan = SweepPlan.of(cfg, headsFrom != null);
        this.out = Path.of(cfg.output());
        this.work = Path.of(cfg.work());
        this.headsFile = headsFrom != null ? headsFrom : out.resolve("heads.json");
        this.log = log;
    }

    /**
     * The grid {@code grid} fine-tuned with the seed {@code seed} ({@link SweepConfig#withSeed}: its own name, output
     * and work): its k = 0 and its trials, which mask the heads that the grid's own ranking ({@code OUTPUT/heads.json})
     * selects, so that a trial and its replicate differ in fine-tuning randomness only. That separates what pruning
     * does from what another seed does, which a paired bootstrap over sentences cannot.
     */
    public static Sweep replicate(SweepConfig grid, long seed, PrintStream log) {
        return new Sweep(grid.withSeed(seed), Path.of(grid.output()).resolve("heads.json"), log);
    }

    // ------------------------------------------------------------------------------------------------ setup

    private void ensureLoaded() {
        if (pretrained != null) return;
        load();
        try {
            Files.createDirectories(out.resolve("trials"));
            Files.createDirectories(out.resolve("results"));
            Files.createDirectories(work);
        } catch (IOException e) {
            throw new HeadlensException(out + ": cannot create: " + e.getMessage(), e);
        }
    }

    private void load() {
        modelDir = cfg.model().equals("default") ? ModelSource.ensureDefaultModel() : ModelSource.resolve(Path.of(cfg.model()));
        pretrained = ModelSource.load(modelDir);
        tokenizer = Tokenizers.load(modelDir);
        training = trainConfig();
        List<Sentence> train = new ArrayList<>();
        for (SweepConfig.DataFile f : cfg.train()) train.addAll(f.read());
        trainSentences = train.size();
        labels = LabelMap.of(train);
        task = Task.of(cfg.task(), labels, "sweep config");
        sources = train.stream().map(Sentence::lang).distinct().sorted().toList();
        setting = cfg.setting() != null ? cfg.setting() : sources.size() > 1 ? "multi" : "cross";
        modelName = cfg.model().equals("default") ? "all-MiniLM-L6-v2" : modelDir.getFileName().toString();
        trainExamples = List.copyOf(features(train));
        sourceDev = new ArrayList<>();
        for (SweepConfig.DataFile f : cfg.sourceDev()) sourceDev.addAll(f.read());
        sourceDevFeatures = features(sourceDev);
        for (var t : cfg.targets().entrySet()) {
            put(t.getKey() + "/dev", t.getValue().devFile().read());
            if (t.getValue().test() != null) put(t.getKey() + "/test", t.getValue().testFile().read());
        }
        for (String key : gold.keySet()) if (sameAsSource == null && key.endsWith("/dev") && sameSentences(gold.get(key), sourceDev)) sameAsSource = key;
        log.printf(Locale.ROOT, "sweep %s: %s, %d training sentences (%d windows), %d labels, source dev %d sentences, targets %s%n",
                cfg.name(), modelDir, train.size(), trainExamples.size(), labels.size(), sourceDev.size(), cfg.targets().keySet());
    }

    /**
     * Whether a target's dev set is the source dev (or one language's part of it): sentence for sentence, not by file
     * name, since a source dev may be a file's first N sentences or several files. Such a set is scored and ranked once.
     */
    private static boolean sameSentences(List<Sentence> a, List<Sentence> b) {
        return a.equals(b);
    }

    private void put(String key, List<Sentence> s) {
        for (Sentence x : s) if (!x.isLabeled()) throw new HeadlensException(x.source() + ": unlabelled sentence in an evaluation set");
        gold.put(key, s);
        features.put(key, features(s));
    }

    /** The windows of a set of sentences, cut once for every trial (the context stride of Tagger.headStride). */
    private List<Example> features(List<Sentence> s) {
        return Tagger.features(tokenizer, labels, s, training.maxLength(), Tagger.headStride(training.maxLength()));
    }

    /** Labelled batches for importance scoring (sorted by length). */
    private List<HeadImportance.Example> importanceBatches(List<Example> f, int padId) {
        return Batches.sorted(f, training.batchSize(), padId).stream().map(HeadImportance.Example::of).toList();
    }

    private Map<String, INDArray> freshWeights() {
        Map<String, INDArray> w = new LinkedHashMap<>();
        pretrained.weights().forEach((k, v) -> { if (!k.startsWith("classifier.")) w.put(k, v.dup('c')); });
        return w;
    }

    /**
     * One evaluation set scored from one set of predictions: the sweep's score (the tagger's, by eval.Task: accuracy for
     * POS, entity micro F1 otherwise) and the result file's split (per-sentence statistics, RunResult.Split.score).
     */
    private record Scored(double score, RunResult.Split split) {}

    /** Every target's scores: {@code scores} (LANG -> dev/test -> score, the trial files') and {@code splits} (the result file's). */
    private record Targets(ObjectNode scores, Map<String, Map<String, RunResult.Split>> splits) {}

    private Scored score(TokenClassifier clf, List<Sentence> g, List<Example> f) {
        Tagger tagger = new Tagger(clf, tokenizer, labels, task, training.maxLength(), Tagger.headStride(training.maxLength()), cfg.evalBatchSize());
        List<List<String>> pred = tagger.predict(g, f);
        double score = Task.score(tagger.evaluate(g, pred));
        return new Scored(score, RunResult.Split.score(task.id(), g.stream().map(Sentence::labels).toList(), pred));
    }

    private Scored sourceScore(TokenClassifier clf) {
        return score(clf, sourceDev, sourceDevFeatures);
    }

    private Targets targetScores(TokenClassifier clf, Scored sourceDevScore) {
        ObjectNode n = JSON.createObjectNode();
        Map<String, Map<String, RunResult.Split>> splits = new java.util.TreeMap<>();
        for (String key : gold.keySet()) {
            String[] p = key.split("/");
            long t0 = System.nanoTime();
            Scored sc = key.equals(sameAsSource) && sourceDevScore != null ? sourceDevScore   // the same sentences: do not score twice
                    : score(clf, gold.get(key), features.get(key));
            // a trial's scoring takes as long as its fine-tune: say where it is
            log.printf(Locale.ROOT, "  scored %s (%d sentences): %.4f in %.0f s%n", key, gold.get(key).size(), sc.score(), (System.nanoTime() - t0) / 1e9);
            ((ObjectNode) n.with(p[0])).put(p[1], sc.score());
            splits.computeIfAbsent(p[0], x -> new java.util.TreeMap<>()).put(p[1], sc.split());
        }
        return new Targets(n, splits);
    }

    /** Tests: every trial stops (with a checkpoint, as a kill would leave it) after that many updates. */
    Sweep stopAfter(long steps) {
        this.stopAfterSteps = steps;
        return this;
    }

    // ------------------------------------------------------------------------------------------------ units

    public SweepPlan plan() { return plan; }

    /** Every unit in plan order (each skipped when done, resumed when interrupted), then the tables and plots. */
    public void run() {
        for (SweepPlan.Unit u : plan.units()) runUnit(u);
        merge(false);
    }

    /**
     * Runs one unit unless it is done. While another live process runs it, this one waits for it (and then finds
     * it done); a dead one's lock is gone, so its checkpoint is resumed here. The result file is the commit point.
     */
    public void runUnit(SweepPlan.Unit u) {
        SweepPlan.Unit base = plan.byId(SweepPlan.BASE);
        if (!baseChecked) {   // the ranking and every trial stand on the k = 0 tagger, or mask the heads it ranked
            checkSettings(base);
            baseChecked = true;   // a k = 0 written later is written by this process, with these settings
        }
        if (u != base) checkSettings(u);
        if (isDone(u)) {
            log.println("unit " + u.id() + ": done (" + u.file(out) + ")");
            return;
        }
        for (String d : u.dependsOn())
            if (!isDone(plan.byId(d)))
                throw new HeadlensException("sweep " + cfg.name() + ": unit " + u.id() + " needs unit " + d + " first (headlens sweep --config CONFIG --trial " + d + ")");
        try (RunDir.Lock lock = RunDir.Lock.acquire(lockFile(u), who -> log.println("unit " + u.id() + ": being run by " + who + "; waiting"))) {
            if (isDone(u)) {
                log.println("unit " + u.id() + ": done by another process");
                return;
            }
            ensureLoaded();
            switch (u.kind()) {
                case BASE -> trial(u, List.of());
                case RANKING -> importance();
                case TRIAL -> {
                    if (!Files.isRegularFile(headsFile))
                        throw new HeadlensException("sweep " + cfg.name() + ": unit " + u.id() + " ranks heads by " + headsFile
                                + ", which does not exist yet: run the grid's heads unit first (headlens sweep --config CONFIG --trial heads, without --seed)");
                    HeadScores ranking = ImportanceReport.read(headsFile).aggregate();
                    int total = ranking.ascending().size();
                    if (u.k() > total) throw new HeadlensException("sweep config: k_max " + cfg.kMax() + " exceeds the model's " + total + " heads");
                    HeadScores.Order o = HeadScores.Order.valueOf(u.order().toUpperCase(Locale.ROOT));
                    trial(u, ranking.select(u.k(), o, cfg.randomSeed() * 1000 + u.k()));
                }
                case ITERATIVE -> iterative((ObjectNode) readJson(plan.byId(SweepPlan.BASE).file(out)), u.file(out));
            }
        }
    }

    /**
     * A finished k = 0 or trial unit records what it was trained with (results/ID.json: "run" and "seed"). When the
     * config's training settings have changed since, that unit (and the ranking made from the k = 0 tagger) belongs to
     * another grid: stop with the file named rather than skip it as done or mix the two into one table.
     */
    private void checkSettings(SweepPlan.Unit u) {
        Path f = out.resolve("results").resolve(u.id() + ".json");
        if (!(u.kind() == SweepPlan.Kind.BASE || u.kind() == SweepPlan.Kind.TRIAL) || !Files.isRegularFile(f)) return;
        RunResult r = RunResult.read(f);
        TrainConfig now = trainConfig();
        List<String> diff = new ArrayList<>();
        if (r.seed() != now.seed()) diff.add("seed " + r.seed() + ", now " + now.seed());
        if (!Double.isNaN(r.run().lr()) && r.run().lr() != now.lr()) diff.add("lr " + r.run().lr() + ", now " + now.lr());
        if (!Double.isNaN(r.run().epochs()) && r.run().epochs() != now.epochs()) diff.add("epochs " + r.run().epochs() + ", now " + now.epochs());
        if (r.run().batchSize() > 0 && r.run().batchSize() != now.batchSize()) diff.add("batch size " + r.run().batchSize() + ", now " + now.batchSize());
        if (r.run().maxLength() > 0 && r.run().maxLength() != now.maxLength()) diff.add("max length " + r.run().maxLength() + ", now " + now.maxLength());
        if (!diff.isEmpty())
            throw new HeadlensException(f + ": unit " + u.id() + " was trained with other settings than sweep " + cfg.name() + " now gives ("
                    + String.join("; ", diff) + "). To run the grid at the new settings, move its output (" + out + ") and work ("
                    + work + ") directories away, or give the config another output and work");
    }

    private TrainConfig trainConfig() {
        return TrainConfig.DEFAULTS.with(cfg.training() == null ? JSON.createObjectNode() : cfg.training());
    }

    public boolean isDone(SweepPlan.Unit u) {
        return Files.isRegularFile(u.file(out))
                && (u.kind() != SweepPlan.Kind.BASE || Files.isRegularFile(work.resolve("base/model.safetensors")));
    }

    private Path lockFile(SweepPlan.Unit u) {
        return work.resolve("locks").resolve(u.id() + ".lock");
    }

    /** A unit's state: done, running (a live process holds its lock) or missing. */
    public record UnitState(SweepPlan.Unit unit, String state) {}

    public List<UnitState> status() {
        List<UnitState> r = new ArrayList<>();
        for (SweepPlan.Unit u : plan.units())
            r.add(new UnitState(u, isDone(u) ? "done" : RunDir.Lock.isHeld(lockFile(u)) ? "running" : "missing"));
        return r;
    }

    /**
     * The tables, plots and results.json from the finished units. Returns the units not done; with some missing it
     * writes nothing unless {@code partial} (which still needs the setup units).
     */
    public List<UnitState> merge(boolean partial) {
        List<UnitState> missing = status().stream().filter(s -> !s.state().equals("done")).toList();
        if (!missing.isEmpty()) {
            log.println("sweep " + cfg.name() + ": " + missing.size() + " of " + plan.units().size() + " units not done: "
                    + missing.stream().map(s -> s.unit().id() + " (" + s.state() + ")").toList());
            if (!partial) return missing;
        }
        Path base = plan.byId(SweepPlan.BASE).file(out), heads = headsFile;
        if (!Files.isRegularFile(base) || !Files.isRegularFile(heads))
            throw new HeadlensException(out + ": no finished k = 0 trial and heads.json yet; run the sweep first");
        try (RunDir.Lock lock = RunDir.Lock.acquire(work.resolve("locks/merge.lock"), who -> log.println("merge: waiting for " + who))) {
            SweepReport.write(cfg, out, readJson(base), ImportanceReport.read(heads));   // one merge at a time (the charts' temp files)
        }
        log.println("results in " + out);
        return missing;
    }

    /**
     * One fine-tuning with the unit's heads masked. Its result file (headlens-result/1, output/results/ID.json, for
     * {@code headlens report}) is written first, the trial file (the unit's commit point, output/trials/...) last. The
     * scores are those of the best source-dev checkpoint, kept in work/trials/ID/best.json when it is reached, so a
     * resumed trial reports them even when it never sees that checkpoint's weights again. Masking train-only (the
     * authors' released code) sets the gates for the training updates only: every evaluation sees all heads.
     */
    private ObjectNode trial(SweepPlan.Unit u, List<HeadId> heads) {
        String id = u.id(), order = u.order(), masking = u.masking();
        int k = u.k();
        Path done = u.file(out);
        Path dir = work.resolve("trials").resolve(id);
        boolean resume = Files.isRegularFile(dir.resolve("checkpoint/state.json")) || Files.isRegularFile(dir.resolve("checkpoint.old/state.json"));
        log.printf(Locale.ROOT, "trial %s: masking %s%s%s%n", id, heads, k > 0 && masking.equals(SweepConfig.TRAIN_ONLY) ? " at training only" : "",
                resume ? " (resuming)" : "");
        TokenClassifier clf = TokenClassifier.create(pretrained.config(), freshWeights(), labels.size(), Encoder.Options.TRAINING, training.seed());
        HeadMask mask = new HeadMask(new TreeSet<>(heads));
        mask.apply(clf.encoder());
        boolean evalUnmasked = masking.equals(SweepConfig.TRAIN_ONLY) && !mask.isEmpty();
        Path bestFile = dir.resolve("best.json"), bestWeights = dir.resolve("best-weights.npz");
        long t0 = System.nanoTime();
        double[] evalSecs = {0};   // evaluation and saving time, kept out of the training time
        Scored[] lastSource = {null};
        Trainer trainer = new Trainer(clf, trainExamples, m -> {
            long e0 = System.nanoTime();
            if (evalUnmasked) HeadMask.NONE.apply(m.encoder());
            Scored sc = sourceScore(m);
            if (evalUnmasked) mask.apply(m.encoder());
            lastSource[0] = sc;
            evalSecs[0] += (System.nanoTime() - e0) / 1e9;
            return new Trainer.Evaluation(sc.score(), Map.of());
        }, training, dir, labels.labels())
                .progress(false)
                .stopAfter(stopAfterSteps)
                .onBest(m -> {
                    // Only the weights now: the targets are scored once, after training, from the best checkpoint
                    // (scoring nine languages' dev and test at every improvement cost more than the training itself).
                    long e0 = System.nanoTime();
                    Npz.write(bestWeights, m.encoder().weights());
                    try {
                        Files.deleteIfExists(bestFile);   // scores of an earlier best (one an older headlens scored)
                    } catch (IOException e) {
                        throw new HeadlensException(bestFile + ": cannot delete: " + e.getMessage(), e);
                    }
                    evalSecs[0] += (System.nanoTime() - e0) / 1e9;
                });
        Trainer.Result r = trainer.run(resume);
        if (r.interrupted()) throw new HeadlensException("trial " + id + " interrupted; run the sweep again to continue");
        JsonNode scored = Files.isRegularFile(bestFile) ? readJson(bestFile) : null;
        // scored at this best step already (a resumed trial), or by an older headlens at its best checkpoint (no "step")
        if (scored == null || scored.has("step") && scored.get("step").asLong() != r.bestStep()) {
            long e0 = System.nanoTime();
            // the best update is the last one (the usual case with linear decay): its weights are in memory
            if (r.bestStep() != r.steps()) Trainer.restoreWeights(clf.encoder().weights(), Npz.read(bestWeights));
            if (evalUnmasked) HeadMask.NONE.apply(clf.encoder());
            Targets t = targetScores(clf, r.bestStep() == r.steps() ? lastSource[0] : null);
            if (evalUnmasked) mask.apply(clf.encoder());
            ObjectNode b = JSON.createObjectNode();
            b.put("step", r.bestStep());
            b.set("scores", t.scores());
            // the splits in the result file's layout, nested so that this file is no result file itself
            b.set("result", runResult(u, heads, RunResult.Run.UNKNOWN, t.splits()).toJson());
            writeJson(bestFile, b);
            if (k == 0) saveBase(clf);
            evalSecs[0] += (System.nanoTime() - e0) / 1e9;
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        JsonNode best = readJson(bestFile);
        RunResult.Run run = new RunResult.Run(trainSentences, training.epochs(), training.lr(), training.batchSize(), training.maxLength(), secs,
                RunResult.Run.peakRss());
        if (best.has("result"))
            runResult(u, heads, run, RunResult.parse(best.get("result"), bestFile).results()).write(out.resolve("results").resolve(id + ".json"));
        else   // a trial begun by an older headlens, resumed: its best weights are gone, its scores are kept
            log.println("trial " + id + ": " + bestFile + " has no per-sentence scores (an older headlens wrote it); no results/"
                    + id + ".json (to redo the trial: delete " + dir + " and " + done + ")");
        ObjectNode res = JSON.createObjectNode();
        res.put("order", order);
        res.put("k", k);
        res.put("masking", masking);
        ArrayNode hs = res.putArray("heads");
        heads.forEach(h -> hs.add(h.toString()));
        res.put("source_dev", r.bestScore());
        res.put("best_step", r.bestStep());
        res.put("steps", r.steps());
        res.put("seconds", secs);   // this process only: a resumed trial's earlier sittings are not counted
        res.put("train_seconds", secs - evalSecs[0]);   // includes checkpoint writes
        res.put("resumed", resume);
        res.put("train_sentences", trainSentences);
        res.put("epochs", training.epochs());
        res.set("scores", best.get("scores"));
        writeJson(done, res);
        try {
            FileUtils.deleteDirectory(dir.resolve("checkpoint").toFile());   // hundreds of MB per trial; the result is in `done`
            FileUtils.deleteDirectory(dir.resolve("checkpoint.old").toFile());
            Files.deleteIfExists(bestWeights);
        } catch (IOException ignored) { }
        log.printf(Locale.ROOT, "trial %s: source dev %.4f, %.0f s, %s%n", id, r.bestScore(), secs, res.get("scores"));
        clf = null;
        System.gc();   // each trial leaves a whole graph behind; its native buffers go only when the GC sees it unreachable
        return res;
    }

    /** What results/ID.json records: the sweep's model, task, sources and setting, and this unit's masked heads. */
    private RunResult runResult(SweepPlan.Unit u, List<HeadId> heads, RunResult.Run run, Map<String, Map<String, RunResult.Split>> splits) {
        return new RunResult(modelName, task.id(), sources, setting, u.order(), u.k(), heads.stream().map(HeadId::toString).sorted().toList(),
                u.masking(), training.seed(), run, splits);
    }

    /** The k = 0 tagger as a model directory (work/base), for the ranking and iterative units. */
    private void saveBase(TokenClassifier m) {
        TaggerDir.write(work.resolve("base"), pretrained.config(), m, labels, task, ModelFiles.tokenizerFiles(modelDir));
    }

    /** Heads ranked by the k = 0 tagger on the source dev set(s); tables for every target's dev for the Spearman table. */
    private ImportanceReport importance() {
        Path file = out.resolve("heads.json");
        TaggerDir m = TaggerDir.load(work.resolve("base"));
        boolean token = cfg.method().equals("token");
        TokenClassifier clf = m.classifier(new Encoder.Options(false, token));
        Map<String, List<Sentence>> parts = new LinkedHashMap<>(), targetDev = new LinkedHashMap<>();
        for (Sentence s : sourceDev) parts.computeIfAbsent(s.lang(), x -> new ArrayList<>()).add(s);
        if (cfg.perTarget())
            for (String key : gold.keySet()) if (key.endsWith("/dev")) targetDev.put(key.split("/")[0], gold.get(key));
        // The pruning ranking averages the source dev, language by language. A language whose target dev set is other
        // sentences (often many more: a multi-lingual grid's source dev is a few dozen per language) is ranked on that set
        // too, under its own name, so every language's ranking in the Spearman tables rests on its largest dev set;
        // its source-dev part is then kept as LANG-source-dev.
        Map<String, List<Sentence>> sets = new LinkedHashMap<>();
        Set<String> sources = new LinkedHashSet<>();
        for (var e : parts.entrySet()) {
            List<Sentence> own = targetDev.get(e.getKey());
            String key = own == null || sameSentences(own, e.getValue()) ? e.getKey() : e.getKey() + ImportanceReport.SOURCE_DEV_SUFFIX;
            sets.put(key, e.getValue());
            sources.add(key);
        }
        targetDev.forEach(sets::putIfAbsent);
        Map<String, ImportanceReport.Language> tables = new LinkedHashMap<>();
        boolean unpruned = HeadLayout.totalHeads(m.config()) == m.config().numHiddenLayers() * m.config().numAttentionHeads();
        ObjectNode info = JSON.createObjectNode();
        info.put("task", task.id());   // ties the file to its task in headlens report
        ObjectNode secs = info.putObject("seconds");
        ObjectNode sents = info.putObject("sentences"), wins = info.putObject("windows");   // windows: a long sentence is cut into several
        for (var e : sets.entrySet()) {
            long t0 = System.nanoTime();
            HeadImportance.Result r = HeadImportance.compute(e.getKey(), clf,
                    importanceBatches(Tagger.features(m.tokenizer(), labels, e.getValue(), training.maxLength(), Tagger.headStride(training.maxLength())),
                            m.config().padTokenId()),
                    token, unpruned, null);   // + the released code's K/V table, to compare the two rankings
            double s = (System.nanoTime() - t0) / 1e9;
            secs.put(e.getKey(), s);
            int n = e.getValue().size();
            sents.put(e.getKey(), n);
            wins.put(e.getKey(), r.windows());
            tables.put(e.getKey(), new ImportanceReport.Language(r.gradient(), r.token(), r.entropy(), r.released(), n, r.splitHalf()));
            log.printf(Locale.ROOT, "importance %s: %d sentences (%d windows), %.1f s, split-half rho %s%n", e.getKey(), n, r.windows(), s,
                    r.splitHalf() == null ? "-" : String.format(Locale.ROOT, "%.3f", r.splitHalf()));
        }
        ImportanceReport rep = new ImportanceReport(m.config().numHiddenLayers(), m.config().numAttentionHeads(), cfg.method(),
                tables, List.copyOf(sources), info);
        rep.write(file);
        return rep;
    }

    /** Michel's iterative pruning of the k = 0 tagger (no re-training); one JSON per round under output/iterative/, then {@code done}. */
    private void iterative(ObjectNode base, Path done) {
        TaggerDir m = TaggerDir.load(work.resolve("base"));
        boolean token = cfg.method().equals("token");
        TokenClassifier clf = m.classifier(new Encoder.Options(false, token));
        int total = HeadLayout.totalHeads(m.config());
        int step = Math.max(1, (int) Math.round(cfg.fraction() * total));
        double baseScore = base.get("source_dev").asDouble(), floor = cfg.threshold() * baseScore;
        Set<HeadId> masked = new TreeSet<>();
        int rounds = 0;
        for (int round = 1; round <= cfg.maxRounds(); round++) {
            rounds = round;
            Path f = out.resolve("iterative").resolve(String.format(Locale.ROOT, "round-%02d.json", round));
            ObjectNode res;
            if (Files.isRegularFile(f)) {
                res = (ObjectNode) readJson(f);
                res.get("masked").forEach(x -> masked.add(HeadId.parse(x.asText())));
                log.println("iterative round " + round + ": done");
            } else {
                new HeadMask(masked).apply(clf.encoder());
                HeadImportance.Result r = HeadImportance.compute("dev", clf,
                        importanceBatches(sourceDevFeatures, m.config().padTokenId()), token, null);
                HeadScores s = token ? r.token() : r.gradient();
                double[][] raw = new double[s.layers()][];
                for (int l = 0; l < raw.length; l++) raw[l] = s.raw()[l].clone();
                for (HeadId id : masked) raw[id.layer()][id.head()] = Double.NaN;   // already gone: not candidates
                HeadScores remaining = HeadScores.fromRaw("dev", raw, s.tokens());
                int n = Math.min(step, remaining.ascending().size());
                masked.addAll(remaining.select(n, HeadScores.Order.LOWEST, 0));
                new HeadMask(masked).apply(clf.encoder());
                res = JSON.createObjectNode();
                res.put("round", round);
                res.put("pruned", masked.size());
                res.put("fraction_pruned", masked.size() / (double) total);
                ArrayNode a = res.putArray("masked");
                masked.forEach(h -> a.add(h.toString()));
                Scored sd = sourceScore(clf);
                res.put("source_dev", sd.score());
                res.set("scores", targetScores(clf, sd).scores());
                writeJson(f, res);
                log.printf(Locale.ROOT, "iterative round %d: %d heads masked, source dev %.4f (floor %.4f)%n", round, masked.size(),
                        res.get("source_dev").asDouble(), floor);
            }
            if (res.get("source_dev").asDouble() < floor || masked.size() >= total) break;
        }
        writeJson(done, JSON.createObjectNode().put("rounds", rounds).put("masked", masked.size()));
    }

    // ------------------------------------------------------------------------------------------------ files

    static JsonNode readJson(Path f) {
        try {
            return JSON.readTree(f.toFile());
        } catch (IOException e) {
            throw new HeadlensException(f + ": not readable JSON: " + e.getMessage(), e);
        }
    }

    static void writeJson(Path f, JsonNode n) {
        try {
            AtomicFiles.writeBytes(f, JSON.writeValueAsBytes(n));   // temp + fsync + rename: the commit point of a unit
        } catch (IOException e) {
            throw new HeadlensException(f + ": cannot write: " + e.getMessage(), e);
        }
    }
}
