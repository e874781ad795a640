package headlens.heads;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
        assertTrue(svg.startsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg "), svg.substring(0, 100));
        Element root = parse(svg);
        assertEquals("http://www.w3.org/2000/svg", root.getNamespaceURI());
        assertEquals("0 0 640 400", root.getAttribute("viewBox"));
        assertTrue(texts(root).containsAll(List.of("head", "layer", "en")), "title and axis labels as text: " + texts(root));
        // the cells as rectangles in the scale's colours: dark red for the top score, grey (SVG's named "gray") for the one
        // pruned head, and nothing else grey (the plot's background is light grey, "silver")
        String darkRgb = rgb((Color) new Charts.Scale().getPaint(1.0));
        List<String> rectFills = new ArrayList<>();
        NodeList rects = root.getElementsByTagNameNS(SVG, "rect");
        for (int i = 0; i < rects.getLength(); i++) rectFills.add(fill((Element) rects.item(i)));
        assertTrue(rectFills.contains(darkRgb), darkRgb + " among " + rectFills);
        assertEquals(1, rectFills.stream().filter(f -> f.equals("gray") || f.equals(rgb(Color.GRAY))).count(), rectFills.toString());
        // one filled rectangle per cell and no outline drawn over it: after the plot's background (silver), 12 rectangles
        // filled in cell colours, none stroked in one, and crisp edges so that adjacent cells meet without a seam
        Set<String> cellColours = new HashSet<>();
        for (double[] row : s.normalized())
            for (double v : row) {
                Color c = (Color) new Charts.Scale().getPaint(v);   // Batik names two of them
                cellColours.add(c.equals(Color.GRAY) ? "gray" : c.equals(Color.WHITE) ? "white" : rgb(c));
            }
        int cells = rectFills.subList(rectFills.indexOf("silver"), rectFills.size()).stream().filter(cellColours::contains).mapToInt(f -> 1).sum();
        assertEquals(12, cells, rectFills.toString());
        assertTrue(svg.contains("shape-rendering:crispEdges"), "crisp edges");
        for (int i = rectFills.indexOf("silver"); i < rects.getLength(); i++) {   // the legend's frame is grey: not a cell
            String style = ((Element) rects.item(i)).getAttribute("style");
            for (String c : cellColours) assertFalse(style.contains("stroke:" + c + ";"), "a cell outlined: " + style);
        }
        assertIdsPrefixedAndResolved(root, "chart");
    }

    /** The inline element: the same bytes for the same chart, its ids under the given prefix, and two charts' ids apart. */
    @Test
    void svgElementIsDeterministicAndItsIdsAreItsOwn() throws Exception {
        HeadScores s = HeadScores.fromRaw("en", new double[][]{{1, 2}, {3, Double.NaN}}, 5);
        String a = Charts.svgElement(Charts.heatmap(s, "en → de"), 520, 330, "f1");
        assertEquals(a, Charts.svgElement(Charts.heatmap(s, "en → de"), 520, 330, "f1"));
        String b = Charts.svgElement(Charts.lines("t", "k", "F1", Map.of("en", new double[][]{{0, 1}, {0.5, 0.6}})), 640, 400, "f2");
        assertTrue(a.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\" "), a.substring(0, 60));
        Element ra = parse(a), rb = parse(b);
        assertTrue(texts(ra).contains("en → de"), "non-ASCII title kept as text");
        Set<String> ia = assertIdsPrefixedAndResolved(ra, "f1"), ib = assertIdsPrefixedAndResolved(rb, "f2");
        assertTrue(ia.size() > 1 && ib.size() > 1, ia + " " + ib);   // clip paths at least
        ia.retainAll(ib);
        assertTrue(ia.isEmpty(), "ids shared by two charts of one page: " + ia);
    }

    @Test
    void curveWritesBothFormats(@TempDir Path dir) throws Exception {
        Map<String, Path> out = Charts.save(Charts.lines("t", "k", "F1", Map.of("en", new double[][]{{0, 1, 2}, {0.9, 0.91, Double.NaN}})),
                dir.resolve("curve"), 500, 300);
        assertTrue(Files.exists(out.get("png")) && Files.exists(out.get("svg")));
        Element root = parse(Files.readString(out.get("svg")));
        assertTrue(texts(root).containsAll(List.of("t", "k", "F1", "en")), texts(root).toString());
    }

    /** Whole-number x (heads masked) gets whole-number ticks; fractions (iterative pruning) keep fractional ones. */
    @Test
    void wholeNumberXHasWholeNumberTicks() {
        var k = (org.jfree.chart.axis.NumberAxis) Charts.lines("t", "k", "F1", Map.of("en", new double[][]{{0, 1, 2}, {0.9, 0.91, 0.92}}))
                .getXYPlot().getDomainAxis();
        assertEquals(1.0, k.getStandardTickUnits().getCeilingTickUnit(0.1).getSize());
        var f = (org.jfree.chart.axis.NumberAxis) Charts.lines("t", "k", "F1", Map.of("en", new double[][]{{0, 0.05, 0.1}, {0.9, 0.91, 0.92}}))
                .getXYPlot().getDomainAxis();
        assertTrue(f.getStandardTickUnits().getCeilingTickUnit(0.01).getSize() < 1, "fractional x");
    }

    static final String SVG = "http://www.w3.org/2000/svg";

    static Element parse(String xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return f.newDocumentBuilder().parse(new InputSource(new StringReader(xml))).getDocumentElement();
    }

    static List<String> texts(Element root) {
        List<String> out = new ArrayList<>();
        NodeList t = root.getElementsByTagNameNS(SVG, "text");
        for (int i = 0; i < t.getLength(); i++) out.add(t.item(i).getTextContent());
        return out;
    }

    static String rgb(Color c) { return "rgb(" + c.getRed() + "," + c.getGreen() + "," + c.getBlue() + ")"; }

    /** The element's fill: its own style's, else the nearest enclosing group's. */
    static String fill(Element e) {
        for (Node n = e; n instanceof Element el; n = n.getParentNode()) {
            Matcher m = Pattern.compile("(?:^|;)\\s*fill:([^;]+)").matcher(el.getAttribute("style"));
            if (m.find()) return m.group(1).trim();
        }
        return null;
    }

    /** Every id starts with {@code prefix}, none twice, and every url(#...) points at one of them; returns the ids. */
    static Set<String> assertIdsPrefixedAndResolved(Element root, String prefix) {
        Set<String> ids = new HashSet<>();
        List<String> refs = new ArrayList<>();
        NodeList all = root.getElementsByTagName("*");
        List<Element> els = new ArrayList<>(List.of(root));
        for (int i = 0; i < all.getLength(); i++) els.add((Element) all.item(i));
        for (Element e : els) {
            if (e.hasAttribute("id")) {
                String id = e.getAttribute("id");
                assertTrue(id.equals(prefix) || id.startsWith(prefix + "-"), "id " + id + " outside prefix " + prefix);
                assertTrue(ids.add(id), "duplicate id " + id);
            }
            Matcher m = Pattern.compile("url\\(#([^)]+)\\)").matcher(e.getAttribute("style"));
            while (m.find()) refs.add(m.group(1));
        }
        assertFalse(refs.isEmpty(), "clip paths referenced");
        for (String r : refs) assertTrue(ids.contains(r), "url(#" + r + ") resolves");
        return ids;
    }
}
