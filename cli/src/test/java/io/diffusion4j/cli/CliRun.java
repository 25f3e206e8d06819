package io.diffusion4j.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import io.diffusion4j.model.Prediction;
import io.diffusion4j.nn.Params;
import io.diffusion4j.nn.UNet;
import io.diffusion4j.nn.UNetConfig;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.train.DiffusionObjective;
import io.diffusion4j.train.LossWeighting;
import io.diffusion4j.train.TrainedModel;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs the command line in-process, and makes tiny models for it. */
final class CliRun {
    record Result(int code, String out, String err) {}

    private CliRun() {}

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    static void assertOneLineError(Result r, int code, String fragment) {
        assertEquals(code, r.code(), r.err());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), "one line: " + err);
        assertTrue(err.startsWith("error: "), err);
        assertTrue(err.contains(fragment), "'" + err + "' should contain '" + fragment + "'");
        assertFalse(err.contains("Exception"), "no exception class names: " + err);
    }

    /** A tiny untrained class-conditional (3 classes) U-Net exported as a model folder. */
    static Path tinyModel(Path dir, int classes) throws IOException {
        UNetConfig net = new UNetConfig(1, 8, List.of(1, 2), 1, List.of(), false, 1, 4, 0.0, classes);
        DiffusionObjective.Config objective = new DiffusionObjective.Config(DiscreteVp.Config.DEFAULT, Prediction.EPSILON,
                LossWeighting.UNIFORM, 5.0, 0.1, classes);
        try (NDManager m = NDManager.newBaseManager()) {
            UNet unet = Params.create(new UNet(net), m, 1);
            JsonObject provenance = new JsonObject();
            provenance.addProperty("made_by", "CliRun.tinyModel (untrained)");
            TrainedModel.export(unet, objective, 0, new Shape(1, 8, 8), provenance, dir);
        }
        return dir;
    }
}
