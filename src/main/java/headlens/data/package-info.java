/**
 * Token-classification data: readers ({@link headlens.data.DataReaders}, one class per format), the label map, sub-word
 * alignment with overlapping windows ({@link headlens.data.FeatureBuilder}, {@link headlens.data.Alignment}) and
 * length-bucketed batching ({@link headlens.data.Batches}).
 *
 * <p>Typical use: {@code Dataset d = DataReaders.read(path, Format.AUTO, ReadOptions.defaults())};
 * {@code LabelMap m = LabelMap.of(d.sentences())}; {@code List<Example> ex = new FeatureBuilder(tok, m, 128, 32).build(d.sentences())};
 * {@code Batches.shuffled(ex, 32, tok.padId(), seed)}; after prediction
 * {@code Alignment.wordPredictions(Alignment.sizes(d.sentences()), examples, tokenPredictions)}.
 */
package headlens.data;
