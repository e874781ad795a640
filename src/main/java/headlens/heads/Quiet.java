package headlens.heads;

import org.nd4j.autodiff.samediff.SameDiff;

import java.io.OutputStream;
import java.io.PrintStream;

/** SameDiff prints "Added differentiated op ..." to System.out while it builds a gradient function; keep that off the CLI's output. */
public final class Quiet {
    private Quiet() {}

    public static void gradFunction(SameDiff sd) {
        if (sd.hasGradientFunction()) return;
        PrintStream out = System.out;
        synchronized (System.class) {
            System.setOut(new PrintStream(OutputStream.nullOutputStream()));
            try {
                sd.createGradFunction();
            } finally {
                System.setOut(out);
            }
        }
    }
}
