package headlens.tokenize;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Package-private code of {@code headlens.tokenize} (main and test: the test helper {@code XlmrJson}) exposed to the
 * tokenizer benchmark; it lives in the benchmark source set, in this package, so that test code carries nothing for it.
 */
public final class BenchSupport {
    private BenchSupport() {}

    /** The tokenizer.json transformers' XLMRobertaConverter makes of a SentencePiece model. */
    public static String xlmrJson(Path model) throws IOException {
        return XlmrJson.of(SentencePieceModel.parse(Files.readAllBytes(model), model.toString()));
    }
}
