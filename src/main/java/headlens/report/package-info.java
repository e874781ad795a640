/**
 * The paper's tables and honest statistics from evaluation results ({@code headlens report}).
 *
 * <p><b>Result files</b> ({@link headlens.report.RunResult}, format {@code headlens-result/1}; full description in
 * {@code benchmarks/paper/SCHEMA.md}): one JSON file per evaluated model, keyed by task (pos | ner | slot), source
 * language(s), setting (cross | multi), order (none | lowest | highest | random), k, masking (train+eval | train-only)
 * and seed; per target language and split (dev, test) the metric values ({@code accuracy}, {@code f1} = seqeval entity
 * F1, {@code paper_f1} = seqeval 0.0.12 chunk F1 over UPOS) with per-sentence sufficient statistics
 * ({@link headlens.eval.SentenceStats}: correct/total, or tp/fp/fn), and what the run used (training sentences,
 * epochs, lr, batch, max length, wall time, peak RSS). Heads files are the {@code headlens-heads/1} files of
 * {@link headlens.heads.ImportanceReport}; an {@code info.task} field ties one to a task.
 *
 * <p><b>Statistics</b>: {@link headlens.report.PairedBootstrap} (percentile interval of the paired difference over
 * resampled sentences); {@link headlens.report.SeedSpread} (how far a trial's mean difference moves with the
 * fine-tuning seed, from trials run under two seeds); {@link headlens.report.ReportModel} groups the runs into
 * experiments, computes every trial's difference to k = 0, the paper's selection rule (best of k = 1..12 on the reported test) and an honest one (k on dev),
 * and the means and counts per task and setting. {@link headlens.report.ReportWriter} renders {@code report.md} and a
 * self-contained {@code report.html} deterministically. {@link headlens.report.PaperNumbers} holds Ma et al.'s numbers.
 */
package headlens.report;
