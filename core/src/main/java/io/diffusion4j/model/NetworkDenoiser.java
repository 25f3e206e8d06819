package io.diffusion4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.util.Check;

/**
 * The one adapter from a network to a {@link Denoiser}: it tells the network the level's schedule
 * time and converts the output with the network's {@link Prediction} (k-diffusion's
 * {@code external.py} idea: convert once, at the edge).
 *
 * @param network the network
 * @param prediction what the network outputs
 */
public record NetworkDenoiser(Network network, Prediction prediction) implements Denoiser {
    public NetworkDenoiser {
        Check.notNull(network, "network");
        Check.oneOf(prediction, Prediction.values(), "prediction");
    }

    @Override
    public Estimate denoise(NDArray x, NoiseLevel level, Conditioning cond) {
        long n = x.getShape().get(0);
        NDArray t = x.getManager().full(new ai.djl.ndarray.types.Shape(n), (float) level.t()).toType(DataType.FLOAT32, false);
        NDArray out = network.apply(x, t, cond.labels());
        if (!out.getShape().equals(x.getShape())) {
            throw new IllegalStateException("network output shape " + out.getShape() + " differs from its input shape " + x.getShape());
        }
        return prediction.toEstimate(out, x, level);
    }
}
