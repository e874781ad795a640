/**
 * The tagger API: one fine-tuned token classifier from its model directory to words, labels and scores, for {@code eval},
 * {@code predict}, {@code importance}, {@code train}'s dev evaluation and the sweep.
 *
 * <p>{@link headlens.tagger.TaggerDir} loads a tagger's model directory (config with {@code id2label} as a {@link
 * headlens.data.LabelMap}, its {@link headlens.eval.Task}, classifier weights, tokenizer, head mask) and writes one;
 * {@link headlens.tagger.Tagger} cuts sentences into windows, predicts one label per word and scores by the task's
 * metric (the one rule in {@link headlens.eval.Task}); {@link headlens.tagger.ModelDir} is the one writer of model
 * directories (temporary directory + rename), also used by {@code prune}. Above {@code train} and {@code heads}, below
 * {@code sweep} and {@code cli}.
 *
 * <p>Typical use: {@code Report r = TaggerDir.load(runDir).tagger(256, 32, 32).evaluate(gold)}.
 */
package headlens.tagger;
