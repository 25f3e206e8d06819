package io.diffusion4j.cli;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

/** Side-by-side scatter plots of 2-D point sets, written as PNG. */
final class ScatterPlot {
    private static final int PANEL = 420;
    private static final int TITLE = 28;

    private ScatterPlot() {}

    /**
     * Draws one panel per point set, all on the square [−extent, extent]².
     *
     * @param titles one title per panel
     * @param points one (x0, y0, x1, y1, …) array per panel
     */
    static void write(Path file, String[] titles, float[][] points, double extent) throws IOException {
        BufferedImage img = new BufferedImage(PANEL * points.length, PANEL + TITLE, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        Color[] colors = {new Color(90, 90, 90), new Color(30, 100, 200), new Color(200, 80, 30)};
        for (int p = 0; p < points.length; p++) {
            int ox = p * PANEL;
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
            g.drawString(titles[p], ox + 10, 20);
            g.setColor(new Color(225, 225, 225));
            g.setStroke(new BasicStroke(1f));
            g.drawRect(ox + 5, TITLE, PANEL - 10, PANEL - 10);
            g.drawLine(ox + PANEL / 2, TITLE, ox + PANEL / 2, TITLE + PANEL - 10);
            g.drawLine(ox + 5, TITLE + (PANEL - 10) / 2, ox + PANEL - 5, TITLE + (PANEL - 10) / 2);
            g.setColor(colors[p % colors.length]);
            float[] xy = points[p];
            for (int i = 0; i + 1 < xy.length; i += 2) {
                int px = ox + 5 + (int) Math.round((xy[i] + extent) / (2 * extent) * (PANEL - 10));
                int py = TITLE + (int) Math.round((extent - xy[i + 1]) / (2 * extent) * (PANEL - 10));
                g.fillOval(px - 2, py - 2, 4, 4);
            }
        }
        g.dispose();
        if (!ImageIO.write(img, "png", file.toFile())) {
            throw new IOException("no PNG writer in this JVM");
        }
    }
}
