/**
 * Attention heads as objects of study: {@link headlens.model.HeadId} and {@link headlens.model.HeadLayout} (which column
 * a head occupies after physical pruning), {@link headlens.model.HeadMask} (mask-mode pruning, {@code head_mask.json}),
 * {@link headlens.heads.HeadImportance} (Michel et al.'s gate gradients, per-token scores, attention entropy) with
 * {@link headlens.heads.HeadScores} and {@link headlens.heads.ImportanceReport} ({@code heads.json}), {@link
 * headlens.heads.HeadPruner} (physical pruning, HuggingFace's {@code pruned_heads}), {@link headlens.heads.Spearman}
 * and {@link headlens.heads.Charts} (heatmaps). The experiments that use them live in {@code headlens.sweep}.
 */
package headlens.heads;
