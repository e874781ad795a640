/**
 * Evaluation: entity-level P/R/F1 with seqeval's semantics ({@link headlens.eval.SeqevalMetrics}: conlleval mode, or strict
 * mode for a {@link headlens.eval.Scheme}), token accuracy ({@link headlens.eval.TokenAccuracy}) and a per-language
 * {@link headlens.eval.Report} with JSON and text output.
 */
package headlens.eval;
