package io.diffusion4j.cli;

import ai.djl.ndarray.NDManager;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.train.TrainedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;

/** What a checkpoint or model holds. */
@Command(name = "info", mixinStandardHelpOptions = true, description = "Show what a checkpoint or model holds.")
final class InfoCommand implements Callable<Integer> {
    @Mixin
    ModelOption model;

    @Option(names = "--json", description = "Print the stored description as JSON.")
    boolean json;

    @Mixin
    Console console;

    @Override
    public Integer call() throws Exception {
        model.validate();
        try (NDManager manager = NDManager.newBaseManager(); TrainedModel m = model.load(manager)) {
            PrintWriter out = console.out();
            if (json) {
                JsonObject d = m.description();
                d.addProperty("parameters", m.parameterCount());
                out.println(new GsonBuilder().setPrettyPrinting().create().toJson(d));
                return 0;
            }
            DiscreteVp.Config s = m.schedule().config();
            out.printf(Locale.ROOT, "model       %s%n", model.describe());
            out.printf(Locale.ROOT, "network     UNet %s, %,d parameters%n", m.network().config(), m.parameterCount());
            out.printf(Locale.ROOT, "images      %s%n", m.imageShape());
            out.printf(Locale.ROOT, "classes     %s%n", m.numClasses() == 0 ? "unconditional" : m.numClasses() + " (+ null label " + m.numClasses() + " for guidance)");
            out.printf(Locale.ROOT, "schedule    discrete VP, T = %d, %s beta %.6g..%.6g%s%n", s.trainSteps(), s.betaSchedule().diffusersName(),
                    s.betaStart(), s.betaEnd(), s.rescaleZeroTerminalSnr() ? ", zero terminal SNR" : "");
            out.printf(Locale.ROOT, "prediction  %s%n", m.prediction().diffusersName());
            out.printf(Locale.ROOT, "trained     %s steps%n", m.step() < 0 ? "unknown" : String.format(Locale.ROOT, "%,d", m.step()));
        }
        return 0;
    }
}
