package headlens.eval;

import java.util.Map;

/**
 * Token-level scores (POS tagging).
 *
 * @param accuracy correct tokens / all tokens
 * @param correct  correctly labelled tokens
 * @param total    all tokens
 * @param perLabel per gold-or-predicted label: token precision, recall, F1 (recall = the label's accuracy)
 */
public record TokenScores(double accuracy, int correct, int total, Map<String, Prf> perLabel) {}
