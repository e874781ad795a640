package headlens.model;

import headlens.testing.OnnxReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The encoder with the real all-MiniLM-L6-v2 weights (converted from the ONNX export) against ONNX Runtime running
 * that same export: 104 sequences of mixed length (3..160 tokens) in padded batches of 8.
 */
class MiniLmOnnxParityTest {
    static ModelSource model;
    static OnnxReference ort;

    @BeforeAll
    static void setUp() throws Exception {
        model = ModelSource.defaultModel();
        ort = new OnnxReference(2);
    }

    @AfterAll
    static void tearDown() throws Exception {
        ort.close();
    }

    @Test
    void lastHiddenStatesMatchOnnxRuntime() throws Exception {
        Encoder enc = Encoder.create(model.config(), model.weights(), Encoder.Options.INFERENCE);
        Random rnd = new Random(42);
        List<int[]> seqs = new ArrayList<>();
        for (int i = 0; i < 104; i++) {
            int n = 3 + (i % 13 == 0 ? 150 + rnd.nextInt(8) : rnd.nextInt(60));
            int[] s = new int[n];
            s[0] = 101;
            s[n - 1] = 102;
            for (int j = 1; j < n - 1; j++) s[j] = 999 + rnd.nextInt(model.config().vocabSize() - 999);
            seqs.add(s);
        }
        double worst = 0;
        for (int start = 0; start < seqs.size(); start += 8) {
            List<int[]> part = seqs.subList(start, start + 8);
            Encoder.Batch batch = Encoder.Batch.pad(part, 0);
            var ours = enc.forward(batch).hidden();                     // [B, T, H]
            float[][][] ref = ort.run(batch.ids(), batch.mask());       // [B, T, H]
            for (int b = 0; b < part.size(); b++)
                for (int t = 0; t < part.get(b).length; t++)
                    for (int h = 0; h < ref[b][t].length; h++)
                        worst = Math.max(worst, Math.abs(ours.getFloat(b, t, h) - ref[b][t][h]));
        }
        assertTrue(worst <= 1e-4, "max abs diff vs ONNX Runtime: " + worst);
        System.out.println("MiniLM vs ONNX Runtime: max abs diff " + worst);
    }
}
