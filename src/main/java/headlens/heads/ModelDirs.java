package headlens.heads;

import headlens.config.EncoderConfig;
import headlens.convert.ModelFiles;
import headlens.convert.Tensor;
import headlens.model.HeadMask;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Writes a (pruned or masked) model directory: config.json, model.safetensors, tokenizer files, head_mask.json. */
public final class ModelDirs {
    private ModelDirs() {}

    public static void write(Path dir, EncoderConfig cfg, Map<String, INDArray> weights, List<Path> tokenizerFiles, HeadMask mask) {
        List<Tensor> tensors = new ArrayList<>();
        for (var e : weights.entrySet()) {
            INDArray a = e.getValue();
            float[] v = a.length() == 0 ? new float[0] : a.castTo(DataType.FLOAT).dup('c').data().asFloat();
            tensors.add(Tensor.ofFloats(e.getKey(), a.shape(), v));
        }
        ModelFiles.write(dir, cfg, tensors, tokenizerFiles);
        mask.write(dir, cfg);
    }
}
