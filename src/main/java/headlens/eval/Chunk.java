package headlens.eval;

/**
 * An entity (chunk): its type and token span.
 *
 * @param type     entity type ({@code PER}; {@code _} for bare tags such as {@code B})
 * @param sentence sentence index (strict mode), or -1 when offsets run over the concatenated sentences (conlleval mode)
 * @param start    first token (inclusive)
 * @param end      last token (exclusive)
 */
public record Chunk(String type, int sentence, int start, int end) {}
