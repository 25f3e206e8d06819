package io.diffusion4j.train;

import ai.djl.ndarray.NDManager;
import io.diffusion4j.data.LabeledImages;
import io.diffusion4j.model.Prediction;
import io.diffusion4j.nn.Params;
import io.diffusion4j.nn.UNet;
import io.diffusion4j.nn.UNetConfig;
import io.diffusion4j.schedule.DiscreteVp;

import java.util.List;
import java.util.Random;

/** A tiny class-conditional U-Net on 64 random 8×8 images: big enough to exercise every code path, fast. */
final class TinyRun implements AutoCloseable {
    static final UNetConfig NET = new UNetConfig(1, 8, List.of(1, 2), 1, List.of(1), true, 2, 4, 0.1, 3);
    static final TrainConfig TRAIN = new TrainConfig(20, 8, 1e-3, 2, true, 0.01, 0.9, 0.999, 1e-8, 1.0, 0.999, 11, 3);
    final NDManager manager = NDManager.newBaseManager();
    final LabeledImages data;
    final DiffusionObjective objective = new DiffusionObjective(new DiffusionObjective.Config(
            DiscreteVp.Config.DEFAULT, Prediction.V, LossWeighting.MIN_SNR, 5.0, 0.2, 3));

    TinyRun() {
        Random r = new Random(1);
        byte[] px = new byte[64 * 64];
        r.nextBytes(px);
        long[] labels = new long[64];
        for (int i = 0; i < 64; i++) {
            labels[i] = i % 3;
        }
        data = new LabeledImages(manager, px, labels, 1, 8, 8, 3);
    }

    Trainer<UNet> trainer(Objective obj, TrainConfig cfg) {
        UNet model = Params.create(new UNet(NET), manager, cfg.seed());
        UNet ema = Params.create(new UNet(NET), manager, cfg.seed());
        return new Trainer<>(model, ema, obj, cfg, data, manager);
    }

    Trainer<UNet> trainer() {
        return trainer(objective, TRAIN);
    }

    @Override
    public void close() {
        data.close();
        manager.close();
    }
}
