package headlens.heads;

import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.IntervalMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.ui.Layer;
import org.jfree.data.Range;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
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

    /**
     * The interval chart: every point's bar where the caller drew it, in pixels recomputed from the plot's own axes (a
     * vertical line in its series' colour from lower to upper), no bar where the interval is NaN, and the band behind
     * them with its label, inside the y axis's range.
     */
    @Test
    void intervalLinesDrawEachBarAndTheBand() throws Exception {
        double nan = Double.NaN;
        Map<String, double[][]> series = new LinkedHashMap<>();
        series.put("lowest", new double[][]{{0, 1, 2}, {0, 0.5, -0.2}, {nan, 0.1, -0.9}, {nan, 0.9, 0.4}});
        series.put("random", new double[][]{{0, 1, 2}, {0, nan, 0.3}, {nan, nan, -0.1}, {nan, nan, 0.7}});
        JFreeChart chart = Charts.intervalLines("t", "k", "mean Δ", series, new double[]{-1.5, 1.5}, "±1.50: two seeds");
        XYPlot plot = chart.getXYPlot();
        Color red = new Color(214, 39, 40), green = new Color(44, 160, 44);
        plot.getRenderer().setSeriesPaint(0, red);
        plot.getRenderer().setSeriesPaint(1, green);
        assertEquals(2, plot.getDataset().getItemCount(1), "random's point at k = 1 not run: left out");
        Range y = plot.getRangeAxis().getRange();
        assertTrue(y.getLowerBound() < -1.5 && y.getUpperBound() > 1.5, "the band inside the axis: " + y);
        var markers = plot.getRangeMarkers(Layer.BACKGROUND);
        assertEquals(1, markers.size());
        IntervalMarker band = (IntervalMarker) markers.iterator().next();
        assertEquals(List.of(-1.5, 1.5), List.of(band.getStartValue(), band.getEndValue()));
        // where the plot puts its data area at 640 × 400, drawn once into an image for the rendering info
        ChartRenderingInfo info = new ChartRenderingInfo();
        BufferedImage img = new BufferedImage(640, 400, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        chart.draw(g, new Rectangle(0, 0, 640, 400), info);
        g.dispose();
        Rectangle2D area = info.getPlotInfo().getDataArea();
        Element root = parse(Charts.svgElement(chart, 640, 400, "f1"));
        assertTrue(texts(root).contains("±1.50: two seeds"), texts(root).toString());
        List<double[]> redLines = verticalLines(root, rgb(red)), greenLines = verticalLines(root, rgb(green));
        double[][] want = {{1, 0.1, 0.9}, {2, -0.9, 0.4}};
        double redDx = -0.15, greenDx = 0.15;   // the two series dodged apart by 0.3 x units, centred on k
        assertEquals(redDx, Charts.dodge(0, 2), 1e-12);
        assertEquals(greenDx, Charts.dodge(1, 2), 1e-12);
        for (double[] w : want) {
            double px = plot.getDomainAxis().valueToJava2D(w[0] + redDx, area, plot.getDomainAxisEdge());
            double lo = plot.getRangeAxis().valueToJava2D(w[1], area, plot.getRangeAxisEdge());
            double hi = plot.getRangeAxis().valueToJava2D(w[2], area, plot.getRangeAxisEdge());
            assertTrue(redLines.stream().anyMatch(l -> near(l[0], px) && near(Math.max(l[1], l[2]), lo) && near(Math.min(l[1], l[2]), hi)),
                    "lowest's bar at k = " + (int) w[0] + " from " + lo + " to " + hi + " px at x " + px + " among " + show(redLines));
        }
        double px = plot.getDomainAxis().valueToJava2D(2 + greenDx, area, plot.getDomainAxisEdge());
        double lo = plot.getRangeAxis().valueToJava2D(-0.1, area, plot.getRangeAxisEdge());
        assertTrue(greenLines.stream().anyMatch(l -> near(l[0], px) && near(Math.max(l[1], l[2]), lo)), "random's bar at k = 2 " + show(greenLines));
        double redAt2 = plot.getDomainAxis().valueToJava2D(2 + redDx, area, plot.getDomainAxisEdge());
        assertTrue(px - redAt2 > 10, "the two bars at k = 2 stand apart: " + redAt2 + " and " + px + " px");
        double px0 = plot.getDomainAxis().valueToJava2D(redDx, area, plot.getDomainAxisEdge());
        assertTrue(redLines.stream().noneMatch(l -> near(l[0], px0) && Math.abs(l[1] - l[2]) > 0.5), "no bar at k = 0 " + show(redLines));
    }

    /** The vertical segments drawn in {@code colour} ({@code <line>} elements, or single-segment paths): {x, y1, y2} each. */
    static List<double[]> verticalLines(Element root, String colour) {
        List<double[]> out = new ArrayList<>();
        NodeList all = root.getElementsByTagName("*");
        for (int i = 0; i < all.getLength(); i++) {
            Element e = (Element) all.item(i);
            if (!stroke(e).equals(colour)) continue;
            double[] l = null;
            if (e.getLocalName().equals("line"))
                l = new double[]{num(e, "x1"), num(e, "y1"), num(e, "x2"), num(e, "y2")};
            else if (e.getLocalName().equals("path")) {
                Matcher m = Pattern.compile("^M\\s*([-0-9.]+)[ ,]([-0-9.]+)\\s*L\\s*([-0-9.]+)[ ,]([-0-9.]+)\\s*$").matcher(e.getAttribute("d").trim());
                if (m.find()) l = new double[]{Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)), Double.parseDouble(m.group(3)), Double.parseDouble(m.group(4))};
            }
            if (l != null && near(l[0], l[2])) out.add(new double[]{l[0], l[1], l[3]});
        }
        return out;
    }

    static double num(Element e, String attr) { return e.getAttribute(attr).isEmpty() ? 0 : Double.parseDouble(e.getAttribute(attr)); }

    static boolean near(double a, double b) { return Math.abs(a - b) < 0.05; }

    static String show(List<double[]> lines) { return lines.stream().map(java.util.Arrays::toString).toList().toString(); }

    /** The element's stroke: its own style's, else the nearest enclosing group's. */
    static String stroke(Element e) {
        for (Node n = e; n instanceof Element el; n = n.getParentNode()) {
            Matcher m = Pattern.compile("(?:^|;)\\s*stroke:([^;]+)").matcher(el.getAttribute("style"));
            if (m.find()) return m.group(1).trim();
        }
        return "";
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
