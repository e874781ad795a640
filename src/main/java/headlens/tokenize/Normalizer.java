package headlens.tokenize;

/** A normalization step (HuggingFace {@code normalizer}); returns a new string or {@code in} itself. */
public interface Normalizer {
    NormalizedString apply(NormalizedString in);
}
