package headlens.eval;

/**
 * Precision, recall and F1 with their counts. Zero denominators give 0, as seqeval's default {@code zero_division}.
 *
 * @param support   gold items (entities, or tokens with this gold label)
 * @param predicted predicted items
 * @param correct   items both gold and predicted
 */
public record Prf(double precision, double recall, double f1, int support, int predicted, int correct) {
    public static Prf of(int correct, int predicted, int support) {
        double p = predicted == 0 ? 0 : (double) correct / predicted;
        double r = support == 0 ? 0 : (double) correct / support;
        double f = p + r == 0 ? 0 : 2 * p * r / (p + r);
        return new Prf(p, r, f, support, predicted, correct);
    }
}
