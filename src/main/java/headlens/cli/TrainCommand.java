package headlens.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import headlens.convert.ModelFiles;
import headlens.core.HeadlensException;
import headlens.data.DataReaders;
import headlens.data.Dataset;
import headlens.data.Example;
import headlens.data.FeatureBuilder;
import headlens.data.Format;
import headlens.data.LabelMap;
import headlens.data.ReadOptions;
import headlens.data.Sentence;
import headlens.eval.Report;
import headlens.eval.Task;
import headlens.model.Encoder;
import headlens.model.ModelSource;
import headlens.tagger.Tagger;
import headlens.tagger.TaggerDir;
import headlens.tokenize.Tokenizer;
import headlens.tokenize.Tokenizers;
import headlens.train.Checkpoint;
import headlens.train.Experiment;
import headlens.train.RunDir;
import headlens.train.TokenClassifier;
import headlens.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code headlens train}: fine-tune a token classifier (POS, NER, slots); the output folder is a model directory. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Fine-tune encoder + linear tagger (masked cross-entropy, AdamW, linear warmup/decay). "
                + "Every option can also come from --config (YAML/JSON, snake_case keys); options given here win.")
public final class TrainCommand implements Callable<Integer> {
    @Option(names = "--config", description = "Experiment file (configs/experiments/*.yaml).") Path config;
    @Option(names = "--model", description = "Base model directory (default: the embedded all-MiniLM-L6-v2).") String model;
    @Option(names = "--task", description = "pos | ner | slot") String task;
    @Option(names = "--train", arity = "1..*", description = "Training files (CoNLL-U, WikiANN TSV, xSID, CoNLL).") List<String> train;
    @Option(names = "--dev", description = "Dev file: evaluated every epoch (or --eval-every updates); the best model is kept.") String dev;
    @Option(names = "--eval", arity = "1..*", description = "Test files evaluated with the best model at the end (RUN_DIR/metrics.json).") List<String> eval;
    @Option(names = "--output", description = "RUN_DIR.") String output;
    @Option(names = "--train-languages", split = ",", description = "Keep only training sentences of these languages.") List<String> trainLanguages;
    @Option(names = "--eval-languages", split = ",", description = "Keep only test sentences of these languages.") List<String> evalLanguages;
    @Option(names = "--epochs") Integer epochs;
    @Option(names = "--max-sentences", description = "Use only the first N training sentences (per file).") Integer maxSentences;
    @Option(names = "--max-dev-sentences") Integer maxDevSentences;
    @Option(names = "--max-eval-sentences", description = "First N sentences of each --eval file.") Integer maxEvalSentences;
    @Option(names = "--sample-sentences", description = "Train on a random subset of N sentences (seeded with --seed).") Integer sampleSentences;
    @Option(names = "--lr") Double lr;
    @Option(names = "--batch-size") Integer batchSize;
    @Option(names = "--max-length") Integer maxLength;
    @Option(names = "--seed") Long seed;
    @Option(names = "--warmup-ratio") Double warmupRatio;
    @Option(names = "--weight-decay") Double weightDecay;
    @Option(names = "--eval-every", description = "Evaluate every N updates (0 = every epoch).") Integer evalEvery;
    @Option(names = "--patience", description = "Early stopping after N evaluations without gain (0 = off).") Integer patience;
    @Option(names = "--checkpoint-every") Integer checkpointEvery;
    @Option(names = "--freeze-embeddings", negatable = true) Boolean freezeEmbeddings;
    @Option(names = "--freeze-layers") Integer freezeLayers;
    @Option(names = "--log-every", description = "JSON-lines log record every N updates.") Integer logEvery;
    @Option(names = "--resume", description = "Continue from RUN_DIR/checkpoint.") boolean resume;
    @Option(names = "--overwrite", description = "Train into an existing, non-empty RUN_DIR, deleting its earlier model, checkpoint and logs.") boolean overwrite;
    @Option(names = "--no-progress", description = "No progress bar.") boolean noProgress;

    @Override
    public Integer call() {
        Experiment x = experiment();
        if (x.train().isEmpty()) throw new HeadlensException("no training data: give --train FILE... (or 'train' in --config)");
        if (x.dev() == null) throw new HeadlensException("no dev data: give --dev FILE (or 'dev' in --config)");
        if (x.output() == null) throw new HeadlensException("no output: give --output RUN_DIR (or 'output' in --config)");
        Path runDir = Path.of(x.output());
        if (x.model() != null && Path.of(x.model()).toAbsolutePath().normalize().equals(runDir.toAbsolutePath().normalize()))
            throw new HeadlensException(runDir + ": --output is the base model's directory; give another RUN_DIR");
        try (RunDir.Lock lock = RunDir.claim(runDir, resume, overwrite)) {   // refuses a live writer, or a finished run
            return train(x, runDir);
        }
    }

    private int train(Experiment x, Path runDir) {
        Path modelDir = x.model() != null ? ModelSource.resolve(Path.of(x.model())) : ModelSource.ensureDefaultModel();
        ModelSource src = ModelSource.load(modelDir);
        Tokenizer tok = Tokenizers.load(modelDir);
        int maxLen = Tagger.fitLength(x.training().maxLength(), src.config());
        Task task = Task.parse(x.task(), "task");

        List<Sentence> trainSents = read(x.train(), x.training().maxSentences(), x.trainLanguages(), true);
        List<Sentence> devSents = read(List.of(x.dev()), x.maxDevSentences(), List.of(), true);
        if (x.sampleSentences() > 0) trainSents = DataReaders.sample(trainSents, x.sampleSentences(), x.training().seed());
        LabelMap labels = LabelMap.of(trainSents);
        Checkpoint.Loaded ck = resume ? Checkpoint.load(runDir) : null;
        if (ck != null && !ck.state().labels().equals(labels.labels()))
            throw new HeadlensException(runDir.resolve("checkpoint/state.json") + ": label set differs from the training data's");
        FeatureBuilder fb = new FeatureBuilder(tok, labels, maxLen, Tagger.fitStride(x.stride(), maxLen));
        List<Example> examples = fb.build(trainSents);
        System.err.printf("train: %d sentences -> %d windows, %d labels; dev: %d sentences; model %s%n",
                trainSents.size(), examples.size(), labels.size(), devSents.size(), modelDir);

        TokenClassifier tc = TokenClassifier.create(src.config(), src.weights(), labels.size(), Encoder.Options.TRAINING, x.training().seed());
        Tagger tagger = new Tagger(tc, tok, labels, task, maxLen, x.stride(), x.evalBatchSize());
        List<Path> tokFiles = ModelFiles.tokenizerFiles(modelDir);
        Trainer trainer = new Trainer(tc, examples, tagger.devEvaluator(devSents), x.training(), runDir, labels.labels())
                .onBest(m -> TaggerDir.write(runDir, src.config(), m, labels, task, tokFiles))
                .progress(!noProgress);
        Trainer.Result r = trainer.run(resume);
        if (r.interrupted()) {
            System.out.printf("interrupted at update %d; checkpoint saved, continue with --resume%n", r.steps());
            return 130;
        }
        System.out.printf("best dev %s %.4f at update %d of %d%s; model in %s%n", task.metricName(), r.bestScore(), r.bestStep(), r.steps(), r.stoppedEarly() ? " (stopped early)" : "", runDir);
        if (!x.eval().isEmpty()) {
            Report rep = EvalCommand.evaluate(runDir, x.eval(), x.evalLanguages(), x.evalBatchSize(), x.stride(), maxLen, x.maxEvalSentences());
            rep.writeJson(runDir.resolve("metrics.json"));
            System.out.print(rep.toText());
        }
        return 0;
    }

    private Experiment experiment() {
        ObjectNode n = config != null ? Experiment.read(config) : Experiment.mapper().createObjectNode();
        put(n, "model", model); put(n, "task", task); put(n, "dev", dev); put(n, "output", output);
        putList(n, "train", train); putList(n, "eval", eval);
        putList(n, "train_languages", trainLanguages); putList(n, "eval_languages", evalLanguages);
        put(n, "epochs", epochs); put(n, "max_sentences", maxSentences); put(n, "max_dev_sentences", maxDevSentences); put(n, "sample_sentences", sampleSentences); put(n, "max_eval_sentences", maxEvalSentences);
        put(n, "lr", lr); put(n, "batch_size", batchSize); put(n, "max_length", maxLength); put(n, "seed", seed);
        put(n, "warmup_ratio", warmupRatio); put(n, "weight_decay", weightDecay); put(n, "eval_every", evalEvery);
        put(n, "patience", patience); put(n, "checkpoint_every", checkpointEvery);
        put(n, "freeze_embeddings", freezeEmbeddings); put(n, "freeze_layers", freezeLayers); put(n, "log_every", logEvery);
        return Experiment.of(n, config != null ? config.toString() : "options");
    }

    private static void put(ObjectNode n, String k, Object v) {
        if (v != null) n.set(k, Experiment.mapper().valueToTree(v));
    }

    private static void putList(ObjectNode n, String k, List<String> v) {
        if (v != null && !v.isEmpty()) n.set(k, Experiment.mapper().valueToTree(v));
    }

    /** Reads files (format detected), keeping the first {@code max} sentences of each and only the given languages. */
    static List<Sentence> read(List<String> files, int max, List<String> languages, boolean labelled) {
        List<Sentence> out = new ArrayList<>();
        for (String f : files) {
            Dataset d = DataReaders.read(Path.of(f), Format.AUTO, ReadOptions.defaults().withMaxSentences(max));
            if (labelled && !d.isLabeled()) throw new HeadlensException(f + ": has sentences without labels");
            for (Sentence s : d.sentences()) if (languages.isEmpty() || languages.contains(s.lang())) out.add(s);
        }
        if (out.isEmpty()) throw new HeadlensException(files + ": no sentences" + (languages.isEmpty() ? "" : " in languages " + languages));
        return out;
    }
}
