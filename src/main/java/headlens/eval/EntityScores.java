package headlens.eval;

import java.util.Map;

/**
 * Entity-level scores.
 *
 * @param perType  per entity type, sorted by type; types seen in gold or predictions (seqeval v1's target names)
 * @param micro    pooled over all entities (seqeval's default {@code f1_score})
 * @param macro    unweighted mean of the per-type precision, recall and F1
 * @param weighted per-type scores averaged with gold support as weights
 */
public record EntityScores(Map<String, Prf> perType, Prf micro, Prf macro, Prf weighted) {}
