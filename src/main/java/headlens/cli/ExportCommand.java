package headlens.cli;

import headlens.convert.HfExport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code headlens export}: a headlens model/run directory -> a HuggingFace-loadable directory. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write a model or fine-tuned run directory as a HuggingFace directory (config.json, model.safetensors, tokenizer files).")
public final class ExportCommand implements Runnable {
    @Option(names = "--model", paramLabel = "RUN_DIR", required = true, description = "headlens model or run directory")
    Path model;

    @Option(names = "--to", paramLabel = "HF_DIR", required = true, description = "directory to write")
    Path to;

    @Override
    public void run() {
        HfExport.Report r = HfExport.export(model, to);
        System.out.println("exported " + r.architecture() + " (" + r.tensors() + " tensors) -> " + r.to());
    }
}
