package headlens.tagger;

import headlens.config.EncoderConfig;
import headlens.data.Alignment;
import headlens.data.Batch;
import headlens.data.Batches;
import headlens.data.Example;
import headlens.data.FeatureBuilder;
import headlens.data.LabelMap;
import headlens.data.Sentence;
import headlens.eval.Report;
import headlens.eval.Task;
import headlens.model.ClosingMemoryMgr;
import headlens.tokenize.Tokenizer;
import headlens.train.TokenClassifier;
import headlens.train.Trainer;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Word-level predictions and scores of a {@link TokenClassifier}: sentences are cut into windows by {@link
 * FeatureBuilder}, run without dropout in length-sorted batches (padded with the model's {@code pad_token_id}), and
 * mapped back to one label per word (the first sub-token's prediction, from the window that owns the word). Scores
 * follow the tagger's {@link Task}. {@code eval}, {@code predict}, {@code train}'s dev evaluation and the sweep's
 * trials all predict and score here; {@link TaggerDir} loads one from a model directory.
 */
public final class Tagger {
    private final TokenClassifier model;
    private final Tokenizer tokenizer;
    private final LabelMap labels;
    private final Task task;
    private final int maxLength, stride, batchSize;

    public Tagger(TokenClassifier model, Tokenizer tokenizer, LabelMap labels, Task task, int maxLength, int stride, int batchSize) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.labels = labels;
        this.task = task;
        this.maxLength = maxLength;
        this.stride = fitStride(stride, maxLength);
        this.batchSize = batchSize;
    }

    /** The context stride, reduced for short windows (a window must own more tokens than it borrows). */
    public static int fitStride(int stride, int maxLength) {
        return Math.max(0, Math.min(stride, (maxLength - 4) / 2 - 1));
    }

    /**
     * The context stride of the windows that {@code importance} and the sweep cut: min(32, (maxLength - 4) / 4), as they
     * always have (their head scores and trials were computed on these windows; {@code train}, {@code eval} and {@code
     * predict} take {@code --stride}).
     */
    public static int headStride(int maxLength) {
        return Math.min(32, (maxLength - 4) / 4);
    }

    /** The longest window a model takes: {@code requested}, capped by its position table (XLM-R's starts after the pad id). */
    public static int fitLength(int requested, EncoderConfig cfg) {
        return Math.min(requested, cfg.maxPositionEmbeddings() - (cfg.isXlmRoberta() ? cfg.padTokenId() + 1 : 0));
    }

    /** Batches of sentences a streamed prediction holds at a time (sorted by length within them). */
    public static final int POOL_BATCHES = 32;

    public Task task() { return task; }

    public LabelMap labels() { return labels; }

    /** Windows of labelled (or unlabelled) sentences, labels by this tagger's label map (for importance and training). */
    public List<Example> features(List<Sentence> sentences) {
        return features(tokenizer, labels, sentences, maxLength, stride);
    }

    /** As {@link #features(List)} before a tagger exists (the sweep cuts its windows once for all trials). */
    public static List<Example> features(Tokenizer tokenizer, LabelMap labels, List<Sentence> sentences, int maxLength, int stride) {
        return new FeatureBuilder(tokenizer, labels, maxLength, stride).build(sentences);
    }

    /** One predicted label per word, per sentence (all sentences' windows sorted by length together). */
    public List<List<String>> predict(List<Sentence> sentences) {
        return predict(sentences, new FeatureBuilder(tokenizer, null, maxLength, stride).build(sentences));
    }

    /** As {@link #predict(List)} on windows cut before ({@code ex}: of exactly these sentences, e.g. from {@link #features}). */
    public List<List<String>> predict(List<Sentence> sentences, List<Example> ex) {
        List<Example> order = new ArrayList<>();
        List<int[]> tokenPreds = new ArrayList<>();
        ClosingMemoryMgr.LengthSorted lengths = new ClosingMemoryMgr.LengthSorted();
        for (Batch b : Batches.sorted(ex, batchSize, model.encoder().config().padTokenId())) {
            lengths.before(b.length());
            int[][] p = model.predict(TokenClassifier.input(b));
            for (int r = 0; r < b.rows(); r++) { order.add(b.examples().get(r)); tokenPreds.add(p[r]); }
        }
        List<int[]> words = Alignment.wordPredictions(Alignment.sizes(sentences), order, tokenPreds);
        List<List<String>> out = new ArrayList<>(words.size());
        for (int[] w : words) out.add(labels.toLabels(w));
        return out;
    }

    /**
     * Streams predictions: {@code items} are taken {@code poolBatches × batchSize} at a time, each pool predicted as
     * {@link #predict(List)} does, and {@code sink} gets every item with one label per word of its sentence, in input
     * order, as soon as its pool is done. Memory holds one pool's windows and labels, whatever the input's length.
     */
    public <T> void predict(Iterator<T> items, Function<T, Sentence> sentence, BiConsumer<T, List<String>> sink, int poolBatches) {
        if (poolBatches < 1) throw new IllegalArgumentException("pool must hold at least one batch, got " + poolBatches);
        long poolSize = (long) poolBatches * batchSize;
        List<T> pool = new ArrayList<>();
        List<Sentence> sentences = new ArrayList<>();
        while (items.hasNext()) {
            T item = items.next();
            pool.add(item);
            sentences.add(sentence.apply(item));
            if (pool.size() >= poolSize || !items.hasNext()) {
                List<List<String>> labels = predict(sentences);
                for (int i = 0; i < pool.size(); i++) sink.accept(pool.get(i), labels.get(i));
                pool.clear();
                sentences.clear();
                ClosingMemoryMgr.trim();    // memory back to where it was before this pool
            }
        }
    }

    /** Scores predictions of gold sentences by the task's metric (accuracy for POS, entity F1 in conlleval mode otherwise). */
    public Report evaluate(List<Sentence> gold) {
        return evaluate(gold.iterator(), POOL_BATCHES);
    }

    /** As {@link #evaluate(List)}, streamed: predictions are scored a pool at a time and not kept. */
    public Report evaluate(Iterator<Sentence> gold, int poolBatches) {
        Report.Scorer scorer = new Report.Scorer(task.id(), task.metric(), null);
        predict(gold, s -> s, scorer::add, poolBatches);
        return scorer.report();
    }

    /** Scores given predictions of {@code gold} as {@link #evaluate(List)} does. */
    public Report evaluate(List<Sentence> gold, List<List<String>> predictions) {
        return Report.evaluate(task.id(), task.metric(), null, gold, predictions);
    }

    /** A dev evaluator for the trainer: the same gold sentences every time, windows built once. */
    public Trainer.Evaluator devEvaluator(List<Sentence> dev) {
        List<Example> ex = new FeatureBuilder(tokenizer, null, maxLength, stride).build(dev);
        return m -> {
            double score = Task.score(evaluate(dev, predict(dev, ex)));
            return new Trainer.Evaluation(score, Map.of(task.metricName(), score, "sentences", dev.size()));
        };
    }
}
