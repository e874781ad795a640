package headlens.heads;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class ChartsTest {
    @Test
    void heatmapWritesPngAndSvg(@TempDir Path dir) throws Exception {
        double[][] raw = {{1, 2, 3, 4}, {4, 3, Double.NaN, 1}, {0, 0, 1, 0}};
        HeadScores s = HeadScores.fromRaw("en", raw, 5);
        Map<String, Path> out = Charts.save(Charts.heatmap(s, "en"), dir.resolve("heads-en"), 640, 400);
        BufferedImage img = ImageIO.read(out.get("png").toFile());
        assertEquals(640, img.getWidth());
        assertEquals(400, img.getHeight());
        // the image holds the scale's extremes: a dark-red cell (score 1) and a grey pruned cell
        boolean dark = false, grey = false;
        for (int x = 0; x < img.getWidth(); x += 2)
            for (int y = 0; y < img.getHeight(); y += 2) {
                int rgb = img.getRGB(x, y) & 0xffffff;
                if (rgb == (((Color) new Charts.Scale().getPaint(1.0)).getRGB() & 0xffffff)) dark = true;
                if (rgb == (Color.GRAY.getRGB() & 0xffffff)) grey = true;
            }
        assertTrue(dark && grey, "dark " + dark + " grey " + grey);
        String svg = Files.readString(out.get("svg"));
        assertTrue(svg.startsWith("<svg") || svg.contains("<svg "), svg.substring(0, 100));
        assertTrue(svg.contains(">head<") && svg.contains(">en<") && svg.contains("<rect"), "axis label, title and cells as SVG");
    }

    @Test
    void curveWritesBothFormats(@TempDir Path dir) {
        Map<String, Path> out = Charts.save(Charts.lines("t", "k", "F1", Map.of("en", new double[][]{{0, 1, 2}, {0.9, 0.91, Double.NaN}})),
                dir.resolve("curve"), 500, 300);
        assertTrue(Files.exists(out.get("png")) && Files.exists(out.get("svg")));
    }
}
