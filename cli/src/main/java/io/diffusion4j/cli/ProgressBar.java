package io.diffusion4j.cli;

import java.io.PrintWriter;
import java.util.Locale;

/** A one-line progress bar with rate and ETA on stderr, redrawn at most every 200 ms. */
final class ProgressBar {
    private final PrintWriter err;
    private final String label;
    private final long total;
    private final long start = System.nanoTime();
    private long lastDraw;
    private long done;

    ProgressBar(PrintWriter err, String label, long total) {
        this.err = err;
        this.label = label;
        this.total = Math.max(total, 1);
    }

    /** Advances by {@code n} units and redraws when due. */
    void advance(long n) {
        done = Math.min(total, done + n);
        long now = System.nanoTime();
        if (now - lastDraw > 200_000_000L || done == total) {
            lastDraw = now;
            draw(now);
        }
    }

    /** Ends the line. */
    void finish() {
        draw(System.nanoTime());
        err.println();
        err.flush();
    }

    private void draw(long now) {
        double seconds = (now - start) / 1e9;
        double fraction = (double) done / total;
        int width = 30;
        int filled = (int) Math.round(fraction * width);
        String eta = done == 0 ? "?" : format(seconds / done * (total - done));
        err.printf(Locale.ROOT, "\r%s [%s%s] %3.0f%% %d/%d %s elapsed, ETA %s ", label, "#".repeat(filled), ".".repeat(width - filled),
                100 * fraction, done, total, format(seconds), eta);
        err.flush();
    }

    private static String format(double s) {
        long t = Math.round(s);
        return t >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", t / 3600, t / 60 % 60) : String.format(Locale.ROOT, "%dm%02ds", t / 60, t % 60);
    }
}
