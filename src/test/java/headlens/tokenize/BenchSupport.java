package headlens.tokenize;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Package-private helpers exposed to the benchmark harness. */
public final class BenchSupport {
    private BenchSupport() {}

    /** The tokenizer.json transformers' XLMRobertaConverter makes of a SentencePiece model. */
    public static String xlmrJson(Path model) throws IOException {
        return XlmrJson.of(SentencePieceModel.parse(Files.readAllBytes(model), model.toString()));
    }
}
