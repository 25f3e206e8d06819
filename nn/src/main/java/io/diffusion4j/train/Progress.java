package io.diffusion4j.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line console progress report with smoothed loss, throughput and ETA. On a terminal the line
 * is redrawn in place; otherwise (a log file) one line is printed every {@code every} steps.
 */
public final class Progress {
    private final PrintStream out;
    private final long total;
    private final int batch;
    private final int every;
    private final boolean terminal;
    private double lossAvg = Double.NaN;
    private double secondsAvg = Double.NaN;

    /**
     * @param total the last step of the run
     * @param batch images per step
     * @param every print interval in steps when not on a terminal
     */
    public Progress(PrintStream out, long total, int batch, int every) {
        this.out = out;
        this.total = total;
        this.batch = batch;
        this.every = Math.max(1, every);
        this.terminal = System.console() != null;
    }

    /** Records a step; returns the smoothed images per second. */
    public double update(Trainer.StepResult r) {
        if (Double.isFinite(r.loss())) {
            lossAvg = Double.isNaN(lossAvg) ? r.loss() : 0.98 * lossAvg + 0.02 * r.loss();
        }
        secondsAvg = Double.isNaN(secondsAvg) ? r.seconds() : 0.95 * secondsAvg + 0.05 * r.seconds();
        long done = r.step() + 1;
        if (terminal || done % every == 0 || done == total) {
            String line = String.format(Locale.ROOT, "step %d/%d (%.1f%%) loss %.4f (avg %.4f) lr %.2e |g| %.3f %.1f img/s ETA %s%s",
                    done, total, 100.0 * done / total, r.loss(), lossAvg, r.lr(), r.gradNorm(), batch / secondsAvg,
                    eta((total - done) * secondsAvg), r.skipped() ? " SKIPPED (non-finite)" : "");
            if (terminal) {
                out.print("\r" + line);
            } else {
                out.println(line);
            }
            out.flush();
        }
        return batch / secondsAvg;
    }

    /** Ends a redrawn line before other output. */
    public void newline() {
        if (terminal) {
            out.println();
        }
    }

    private static String eta(double seconds) {
        long s = Math.round(seconds);
        if (s >= 86_400) {
            return String.format(Locale.ROOT, "%dd%02dh", s / 86_400, s % 86_400 / 3600);
        }
        return String.format(Locale.ROOT, "%dh%02dm%02ds", s / 3600, s % 3600 / 60, s % 60);
    }
}
