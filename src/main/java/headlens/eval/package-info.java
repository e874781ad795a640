/**
 * Evaluation: entity-level P/R/F1 with seqeval's semantics ({@link headlens.eval.SeqevalMetrics}: conlleval mode, or strict
 * mode for a {@link headlens.eval.Scheme}), token accuracy ({@link headlens.eval.TokenAccuracy}) and a per-language
 * {@link headlens.eval.Report} with JSON and text output; per-sentence sufficient statistics of those metrics for paired
 * bootstrap resampling ({@link headlens.eval.SentenceStats}, incl. the paper's POS F1 with seqeval 0.0.12's typing).
 */
package headlens.eval;
