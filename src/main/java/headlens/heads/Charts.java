package headlens.heads;

import headlens.core.AtomicFiles;
import headlens.core.HeadlensException;
import org.apache.batik.svggen.SVGCSSStyler;
import org.apache.batik.svggen.SVGGeneratorContext;
import org.apache.batik.svggen.SVGGraphics2D;
import org.apache.batik.svggen.SVGIDGenerator;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CrosshairState;
import org.jfree.chart.plot.IntervalMarker;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.PlotRenderingInfo;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.chart.renderer.xy.XYItemRendererState;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.text.TextUtils;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.Range;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.XYZDataset;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Dimension;
import java.awt.Graphics2D;
import java.awt.Paint;
import java.awt.Rectangle;
import java.awt.geom.Rectangle2D;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;

/** Head heatmaps (layers × heads) and score-vs-k curves with JFreeChart, saved as PNG and SVG (Batik). */
public final class Charts {
    static {
        System.setProperty("java.awt.headless", "true");
        // Rotated labels (the y axis, the heatmap's scale) through Graphics2D.drawString like all other text, not through
        // JFreeChart's old-JDK workaround (TextLayout.draw), which the SVG writer can only turn into glyph outlines.
        TextUtils.setUseDrawRotatedStringWorkaround(false);
    }

    private Charts() {}

    /** Normalised importance, one cell per (head, layer); physically pruned heads grey. */
    public static JFreeChart heatmap(HeadScores s, String title) {
        DefaultXYZDataset data = new DefaultXYZDataset();
        int n = s.layers() * s.heads(), i = 0;
        double[][] xyz = new double[3][n];
        for (int l = 0; l < s.layers(); l++)
            for (int h = 0; h < s.heads(); h++, i++) {
                xyz[0][i] = h;
                xyz[1][i] = l;
                xyz[2][i] = s.normalized()[l][h];
            }
        data.addSeries(s.name(), xyz);
        NumberAxis x = axis("head"), y = axis("layer");
        for (NumberAxis a : new NumberAxis[]{x, y}) {
            a.setTickUnit(new NumberTickUnit(1, java.text.NumberFormat.getIntegerInstance(Locale.ROOT)));
            a.setLowerMargin(0);
            a.setUpperMargin(0);
        }
        x.setRange(-0.5, s.heads() - 0.5);
        y.setRange(-0.5, s.layers() - 0.5);
        y.setInverted(true);   // layer 0 on top, as the paper draws it
        Scale scale = new Scale();
        XYBlockRenderer r = new FilledBlocks();
        r.setPaintScale(scale);
        XYPlot plot = new XYPlot(data, x, y, r);
        plot.setBackgroundPaint(Color.LIGHT_GRAY);
        plot.setDomainGridlinesVisible(false);
        plot.setRangeGridlinesVisible(false);
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
        chart.setAntiAlias(false);   // crisp edges: adjacent blocks meet without a seam, so they need no outline
        NumberAxis za = axis("importance (normalised)");
        za.setRange(0, 1);
        PaintScaleLegend legend = new PaintScaleLegend(scale, za);
        legend.setSubdivisionCount(32);   // 32 steps read as a gradient and keep each SVG small (the default draws 100)
        legend.setPosition(RectangleEdge.RIGHT);
        legend.setMargin(4, 4, 4, 4);
        chart.addSubtitle(legend);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    /** A number axis whose tick labels do not depend on the JVM's default locale (0.5, never 0,5). */
    private static NumberAxis axis(String label) {
        NumberAxis a = new NumberAxis(label);
        a.setStandardTickUnits(NumberAxis.createStandardTickUnits(Locale.ROOT));
        return a;
    }

    /** One line per series: y against x (e.g. dev score against heads pruned). */
    public static JFreeChart lines(String title, String xLabel, String yLabel, Map<String, double[][]> series) {
        XYSeriesCollection c = new XYSeriesCollection();
        boolean wholeX = true;
        for (var e : series.entrySet()) {
            XYSeries s = new XYSeries(e.getKey(), false, true);
            double[][] xy = e.getValue();
            for (int i = 0; i < xy[0].length; i++) if (!Double.isNaN(xy[1][i])) { s.add(xy[0][i], xy[1][i]); wholeX &= xy[0][i] == Math.rint(xy[0][i]); }
            c.addSeries(s);
        }
        return lineChart(title, xLabel, yLabel, c, new XYLineAndShapeRenderer(true, true), wholeX);
    }

    /**
     * As {@link #lines}, each point with an interval drawn as a vertical bar in its series' colour: series rows {x, y, lower,
     * upper} (NaN y: no point; NaN lower or upper: no bar). Where {@code band} = {lower, upper} is not null, a grey band
     * across the plot between them, labelled {@code bandLabel}, and the y axis reaches it. Series are dodged: series j of
     * n is drawn at x + {@link #dodge}(j, n), so bars of several series at one x stand side by side, not on top of each other.
     */
    public static JFreeChart intervalLines(String title, String xLabel, String yLabel, Map<String, double[][]> series,
                                           double[] band, String bandLabel) {
        YIntervalSeriesCollection c = new YIntervalSeriesCollection();
        boolean wholeX = true;
        int j = 0;
        for (var e : series.entrySet()) {
            YIntervalSeries s = new YIntervalSeries(e.getKey(), false, true);
            double[][] v = e.getValue();
            double dx = dodge(j++, series.size());
            for (int i = 0; i < v[0].length; i++) {
                if (Double.isNaN(v[1][i])) continue;
                boolean bar = !Double.isNaN(v[2][i]) && !Double.isNaN(v[3][i]);
                s.add(v[0][i] + dx, v[1][i], bar ? v[2][i] : v[1][i], bar ? v[3][i] : v[1][i]);   // no bar: a bar of length 0, under the point
                wholeX &= v[0][i] == Math.rint(v[0][i]);
            }
            c.addSeries(s);
        }
        XYErrorRenderer r = new XYErrorRenderer();
        r.setDefaultLinesVisible(true);
        r.setDrawXError(false);
        r.setCapLength(6);
        JFreeChart chart = lineChart(title, xLabel, yLabel, c, r, wholeX);
        if (band != null) {
            XYPlot plot = chart.getXYPlot();
            IntervalMarker m = new IntervalMarker(band[0], band[1], new Color(0, 0, 0, 24));
            m.setLabel(bandLabel);
            m.setLabelFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 11));
            m.setLabelAnchor(RectangleAnchor.TOP_LEFT);
            m.setLabelTextAnchor(TextAnchor.TOP_LEFT);
            m.setLabelBackgroundColor(new Color(255, 255, 255, 200));   // the default grey box hides the lines under it
            plot.addRangeMarker(m, Layer.BACKGROUND);
            Range data = plot.getDataRange(plot.getRangeAxis());   // the bars included (the dataset is an interval one)
            Range all = Range.combine(data, new Range(Math.min(band[0], band[1]), Math.max(band[0], band[1])));
            plot.getRangeAxis().setRange(Range.expand(all, 0.08, 0.08));
        }
        return chart;
    }

    /** How far {@link #intervalLines} shifts series j of n along x: n series spread over 0.3 x units, centred on the true x. */
    public static double dodge(int j, int n) {
        return n < 2 ? 0 : 0.3 * (j - (n - 1) / 2.0) / (n - 1);
    }

    /** The look every line chart shares: white plot, light grid, 2-pixel lines with points, a legend; whole-number x ticks. */
    private static JFreeChart lineChart(String title, String xLabel, String yLabel, XYDataset c, XYLineAndShapeRenderer r, boolean wholeX) {
        NumberAxis x = axis(xLabel), y = axis(yLabel);
        if (wholeX) x.setStandardTickUnits(NumberAxis.createIntegerTickUnits(Locale.ROOT));   // k = 1.5 heads means nothing
        y.setAutoRangeIncludesZero(false);
        for (int i = 0; i < c.getSeriesCount(); i++) r.setSeriesStroke(i, new BasicStroke(2f));
        XYPlot plot = new XYPlot(c, x, y, r);
        plot.setOrientation(PlotOrientation.VERTICAL);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    /** Writes {@code base.png} and {@code base.svg} (each atomically); returns both paths. */
    public static Map<String, Path> save(JFreeChart chart, Path base, int width, int height) {
        Map<String, Path> out = new LinkedHashMap<>();
        Path png = base.resolveSibling(base.getFileName() + ".png"), svg = base.resolveSibling(base.getFileName() + ".svg");
        try {
            if (base.toAbsolutePath().getParent() != null) Files.createDirectories(base.toAbsolutePath().getParent());
            AtomicFiles.writeStream(png, os -> ChartUtils.writeChartAsPNG(os, chart, width, height));
            out.put("png", png);
            String doc = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + svgElement(chart, width, height, "chart") + "\n";
            AtomicFiles.writeString(svg, doc);
            out.put("svg", svg);
        } catch (IOException e) {
            throw new HeadlensException(base + ": cannot write chart: " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * The chart as one {@code <svg>} element (with its xmlns, so it also stands alone as a file), drawn by Batik's
     * SVGGraphics2D with text kept as text: scalable (viewBox) and deterministic. Every id in it (clip paths, gradients,
     * the defs) starts with {@code id + "-"} and is numbered by a counter of this call alone, so several charts can share
     * an HTML page and the same chart always gives the same bytes.
     */
    public static String svgElement(JFreeChart chart, int width, int height, String id) {
        Document doc;
        try {
            doc = DocumentBuilderFactory.newDefaultInstance().newDocumentBuilder().getDOMImplementation()
                    .createDocument(SVG_NS, "svg", null);
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
        SVGGeneratorContext ctx = SVGGeneratorContext.createDefault(doc);
        ctx.setComment(null);   // no "Generated by" comment
        ctx.setIDGenerator(new SVGIDGenerator() {
            @Override public String generateID(String prefix) { return id + "-" + super.generateID(prefix); }
        });
        SVGGraphics2D g = new SVGGraphics2D(ctx, false);
        g.setSVGCanvasSize(new Dimension(width, height));
        chart.draw(g, new Rectangle(0, 0, width, height));
        Element root = g.getRoot();
        root.setAttribute("id", id);
        root.setAttribute("viewBox", "0 0 " + width + " " + height);
        root.setAttributeNS(XMLNS_NS, "xmlns", SVG_NS);
        for (Node n = root.getFirstChild(), next; n != null; n = next) {
            next = n.getNextSibling();
            // Batik's generic defs carry the one id it does not generate ("genericDefs", the same in every chart); they hold
            // only composites JFreeChart does not use, so they are dropped when empty and renamed otherwise
            if (n instanceof Element e && e.getTagName().equals("defs") && e.getAttribute("id").equals("genericDefs")) {
                if (e.hasChildNodes()) e.setAttribute("id", id + "-genericDefs");
                else root.removeChild(e);
            }
        }
        SVGCSSStyler.style(root);   // presentation attributes into style="..." (the report's show/hide rules match those)
        StringWriter w = new StringWriter();
        try {
            Transformer t = TransformerFactory.newDefaultInstance().newTransformer();
            t.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
            t.transform(new DOMSource(root), new StreamResult(w));
        } catch (TransformerException e) {
            throw new IllegalStateException(e);
        }
        return w.toString();
    }

    private static final String SVG_NS = "http://www.w3.org/2000/svg", XMLNS_NS = "http://www.w3.org/2000/xmlns/";

    /**
     * The block renderer without its outline: JFreeChart draws each block filled and then stroked in the same colour (to
     * hide antialiasing seams), which doubles every heatmap's SVG; with antialiasing off the fill alone is seamless.
     * Blocks of 1 × 1 centred on (head, layer), the only use here.
     */
    static final class FilledBlocks extends XYBlockRenderer {
        @Override
        public void drawItem(Graphics2D g2, XYItemRendererState state, Rectangle2D dataArea, PlotRenderingInfo info,
                             XYPlot plot, ValueAxis domainAxis, ValueAxis rangeAxis, XYDataset dataset, int series,
                             int item, CrosshairState crosshairState, int pass) {
            double x = dataset.getXValue(series, item), y = dataset.getYValue(series, item);
            double z = ((XYZDataset) dataset).getZValue(series, item);
            double x0 = domainAxis.valueToJava2D(x - 0.5, dataArea, plot.getDomainAxisEdge());
            double x1 = domainAxis.valueToJava2D(x + 0.5, dataArea, plot.getDomainAxisEdge());
            double y0 = rangeAxis.valueToJava2D(y - 0.5, dataArea, plot.getRangeAxisEdge());
            double y1 = rangeAxis.valueToJava2D(y + 0.5, dataArea, plot.getRangeAxisEdge());
            g2.setPaint(getPaintScale().getPaint(z));
            g2.fill(new Rectangle2D.Double(Math.min(x0, x1), Math.min(y0, y1), Math.abs(x1 - x0), Math.abs(y1 - y0)));
        }
    }

    /** White (0) to dark red (1), grey for NaN (physically pruned). */
    static final class Scale implements PaintScale {
        @Override public double getLowerBound() { return 0; }
        @Override public double getUpperBound() { return 1; }

        @Override
        public Paint getPaint(double v) {
            if (Double.isNaN(v)) return Color.GRAY;
            double t = Math.max(0, Math.min(1, v));
            // white -> orange -> dark red
            int r = (int) Math.round(255 - 100 * t), g = (int) Math.round(255 * (1 - t) * (1 - 0.3 * t)), b = (int) Math.round(255 * (1 - t) * (1 - t));
            return new Color(r, g, b);
        }
    }
}
