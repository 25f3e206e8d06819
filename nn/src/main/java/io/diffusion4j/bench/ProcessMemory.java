package io.diffusion4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Resident memory of this process from {@code /proc/self/status} (Linux), in MiB; NaN where unavailable. */
public final class ProcessMemory {
    private static final Path STATUS = Paths.get("/proc/self/status");

    private ProcessMemory() {}

    /** Peak resident set size so far (VmHWM). */
    public static double peakRssMb() {
        return field("VmHWM:");
    }

    /** Current resident set size (VmRSS). */
    public static double rssMb() {
        return field("VmRSS:");
    }

    private static double field(String name) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(name)) {
                    String[] parts = line.substring(name.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) / 1024.0;   // the kernel reports kB
                }
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }
}
