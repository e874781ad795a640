package headlens.model;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Gradients}: d loss / d w by hand, and SameDiff's per-op "Added differentiated op" lines kept off System.out. */
class GradientsTest {

    /** loss = sum(x * w) with x a constant: d loss / d w = x. */
    private static SameDiff graph() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.constant("x", Nd4j.createFromArray(1f, -2f, 3f));
        SDVariable w = sd.var("w", Nd4j.createFromArray(0.5f, 0.25f, -1f));
        sd.setLossVariables(x.mul(w).sum().rename("loss"));
        return sd;
    }

    private static String stdout(Runnable r) {
        PrintStream out = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setOut(out);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void gradientIsRightAndNothingIsPrinted() {
        SameDiff sd = graph();
        String printed = stdout(() -> {
            var r = Gradients.calculate(sd, Map.of(), List.of("loss"), List.of("w"));
            INDArray g = r.getGradients().get("w");
            assertArrayEquals(new float[] {1f, -2f, 3f}, g.castTo(DataType.FLOAT).toFloatVector(), 0f);
            assertEquals(0.5f - 0.5f - 3f, r.getOutputs().get("loss").getFloat(0), 0f);
            // SameDiff's own call reuses the gradient function built above: silent too
            sd.calculateGradients(Map.of(), "w");
        });
        assertEquals("", printed);
    }

    /** Why {@link Gradients#ensure} exists: SameDiff 1.0.0-M2.1 prints one line per op with System.out, not a logger. */
    @Test
    void sameDiffAloneWouldPrintEveryOp() {
        SameDiff sd = graph();
        String printed = stdout(() -> sd.calculateGradients(Map.of(), "w"));
        assertTrue(printed.contains("Added differentiated op"), printed);
    }
}
