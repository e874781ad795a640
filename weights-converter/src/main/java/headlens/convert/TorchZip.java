package headlens.convert;

import headlens.cli.HeadlensException;

import java.nio.file.Path;
import java.util.Map;

/** PyTorch zip checkpoints (pytorch_model.bin); implemented in priority 2. */
final class TorchZip {
    private TorchZip() {}

    static Map<String, Tensor> read(Path file) {
        throw new HeadlensException(file + ": PyTorch .bin checkpoints are not supported yet; convert to safetensors first");
    }
}
