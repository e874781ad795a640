package headlens.cli;

import headlens.convert.Converter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code headlens convert}: a HuggingFace checkpoint or ONNX export -> a headlens model directory. */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = {"Convert a HuggingFace model directory (model.safetensors, sharded safetensors, pytorch_model.bin)",
                "or an ONNX export (model.onnx + config.json + tokenizer.json) into a headlens model directory.",
                "A source without tokenizer.json gets one made from its vocab.txt (+ tokenizer_config.json) or",
                "sentencepiece.bpe.model, as transformers' BertConverter / XLMRobertaConverter would write it.",
                "Without --from, writes the embedded default model (all-MiniLM-L6-v2)."})
public final class ConvertCommand implements Runnable {
    @Option(names = "--from", paramLabel = "DIR", description = "HuggingFace or ONNX export directory (default: the embedded all-MiniLM-L6-v2)")
    Path from;

    @Option(names = "--to", paramLabel = "MODEL_DIR", required = true, description = "Model directory to write")
    Path to;

    @Override
    public void run() {
        Converter.Report r = from == null ? Converter.defaultModel(to) : Converter.convert(from, to);
        System.out.println(r.summary());
    }
}
