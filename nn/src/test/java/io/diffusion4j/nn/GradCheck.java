package io.diffusion4j.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;

import java.util.List;
import java.util.Random;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Central finite-difference gradient checks in float64: the loss is Σ f(inputs)·R with a fixed random
 * R; the engine's gradients of every input and parameter are compared, at a few random coordinates
 * each, with (L(θ + h) − L(θ − h))/2h.
 */
final class GradCheck {
    private static final double H = 1e-6;

    private GradCheck() {}

    /**
     * @param f the function under test (float64 in, float64 out)
     * @param inputs float64 inputs whose gradients are checked (they get requiresGradient)
     * @param params float64 parameter arrays (already requiring gradients)
     */
    static void check(NDManager m, Function<NDList, NDArray> f, NDList inputs, List<NDArray> params, long seed) {
        NDArray r;
        NDArray[] grads;
        NDList targets = new NDList();
        targets.addAll(inputs);
        targets.addAll(new NDList(params));
        for (NDArray x : inputs) {
            x.setRequiresGradient(true);
        }
        r = m.randomNormal(f.apply(inputs).getShape(), DataType.FLOAT64);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray loss = f.apply(inputs).mul(r).sum();
            gc.backward(loss);
        }
        grads = new NDArray[targets.size()];
        for (int i = 0; i < targets.size(); i++) {
            grads[i] = targets.get(i).getGradient().duplicate();
        }
        Random rnd = new Random(seed);
        int checked = 0;
        for (int i = 0; i < targets.size(); i++) {
            NDArray x = targets.get(i);
            double[] g = grads[i].toDoubleArray();
            for (int k = 0; k < 4; k++) {
                int idx = rnd.nextInt((int) x.size());
                double numeric = (lossAt(f, inputs, r, x, idx, H) - lossAt(f, inputs, r, x, idx, -H)) / (2 * H);
                double tol = 1e-6 * Math.max(1.0, Math.abs(numeric));
                assertEquals(numeric, g[idx], tol, "gradient of target " + i + " at " + idx);
                checked++;
            }
        }
        assertTrue(checked > 0);
    }

    private static double lossAt(Function<NDList, NDArray> f, NDList inputs, NDArray r, NDArray x, int idx, double delta) {
        double[] v = x.toDoubleArray();
        double old = v[idx];
        v[idx] = old + delta;
        set(x, v);
        double loss = f.apply(inputs).mul(r).sum().getDouble();
        v[idx] = old;
        set(x, v);
        return loss;
    }

    private static void set(NDArray x, double[] v) {
        try (NDArray tmp = x.getManager().create(v, x.getShape())) {
            x.set(new NDIndex("..."), tmp);
        }
    }
}
