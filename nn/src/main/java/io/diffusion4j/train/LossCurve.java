package io.diffusion4j.train;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.diffusion4j.io.TempPaths;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The loss curve of a run's {@code metrics.jsonl} as a PNG: raw loss in grey, a moving average in blue, log-scale y. */
public final class LossCurve {
    private static final int W = 720;
    private static final int H = 360;
    private static final int M = 50;

    private LossCurve() {}

    /** Reads {@code metrics} (JSON lines with step and loss) and writes the plot to {@code png} (atomically). */
    public static void write(Path metrics, Path png) throws IOException {
        List<double[]> points = new ArrayList<>();
        for (String line : Files.readAllLines(metrics, StandardCharsets.UTF_8)) {
            try {
                JsonObject o = JsonParser.parseString(line).getAsJsonObject();
                double loss = o.get("loss").getAsDouble();
                if (Double.isFinite(loss) && loss > 0) {
                    points.add(new double[] {o.get("step").getAsDouble(), loss});
                }
            } catch (RuntimeException ignored) {
                // a line cut by a crash mid-write is skipped
            }
        }
        if (points.size() < 2) {
            return;
        }
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);
        double x0 = points.get(0)[0];
        double x1 = points.get(points.size() - 1)[0];
        double lo = Double.MAX_VALUE;
        double hi = 0;
        for (double[] p : points) {
            lo = Math.min(lo, p[1]);
            hi = Math.max(hi, p[1]);
        }
        double ly0 = Math.log10(lo);
        double ly1 = Math.log10(hi) + 1e-9;
        g.setColor(Color.BLACK);
        g.drawRect(M, 10, W - M - 10, H - M - 10);
        g.drawString(String.format(Locale.ROOT, "%.3g", hi), 2, 20);
        g.drawString(String.format(Locale.ROOT, "%.3g", lo), 2, H - M);
        g.drawString("step " + (long) x0, M, H - M + 18);
        g.drawString("step " + (long) x1, W - 90, H - M + 18);
        g.drawString("training loss (log scale); blue: moving average", M + 120, H - 12);
        plot(g, points, x0, x1, ly0, ly1, new Color(200, 200, 200), 1);
        plot(g, movingAverage(points, Math.max(1, points.size() / 50)), x0, x1, ly0, ly1, new Color(30, 90, 200), 2);
        g.dispose();
        TempPaths.replaceAtomically(png, tmp -> ImageIO.write(img, "png", tmp.toFile()));
    }

    private static void plot(Graphics2D g, List<double[]> pts, double x0, double x1, double ly0, double ly1, Color c, float width) {
        g.setColor(c);
        g.setStroke(new BasicStroke(width));
        int px = -1;
        int py = -1;
        for (double[] p : pts) {
            int x = M + (int) Math.round((p[0] - x0) / Math.max(x1 - x0, 1) * (W - M - 10));
            int y = 10 + (int) Math.round((ly1 - Math.log10(p[1])) / (ly1 - ly0) * (H - M - 10));
            if (px >= 0) {
                g.drawLine(px, py, x, y);
            }
            px = x;
            py = y;
        }
    }

    private static List<double[]> movingAverage(List<double[]> pts, int window) {
        List<double[]> out = new ArrayList<>();
        double sum = 0;
        for (int i = 0; i < pts.size(); i++) {
            sum += pts.get(i)[1];
            if (i >= window) {
                sum -= pts.get(i - window)[1];
            }
            out.add(new double[] {pts.get(i)[0], sum / Math.min(i + 1, window)});
        }
        return out;
    }
}
