package io.diffusion4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Stable parameter names, counting and deterministic initialisation of our blocks. */
public final class Params {
    private Params() {}

    /**
     * The block's parameters under stable dotted keys: the {@link Layer#namedChildren} path, then the
     * parameter's own name ({@code down.0.res.1.conv1.weight}). Blocks that are not {@link Layer}s
     * contribute DJL's names with the position prefix of their children removed.
     */
    public static Map<String, Parameter> named(Block block) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collect(block, "", out);
        return out;
    }

    private static void collect(Block block, String prefix, Map<String, Parameter> out) {
        for (Pair<String, Parameter> p : block.getDirectParameters()) {
            put(out, prefix + p.getValue().getName(), p.getValue());
        }
        if (block instanceof Layer layer) {
            for (Map.Entry<String, Block> c : layer.namedChildren().entrySet()) {
                collect(c.getValue(), prefix + c.getKey() + ".", out);
            }
        } else {
            for (Pair<String, Block> c : block.getChildren()) {
                collect(c.getValue(), prefix + c.getKey().replaceFirst("^\\d+", "") + ".", out);
            }
        }
    }

    private static void put(Map<String, Parameter> out, String key, Parameter p) {
        if (out.put(key, p) != null) {
            throw new IllegalStateException("two parameters share the key " + key);
        }
    }

    /** Number of scalar parameters. */
    public static long count(Block block) {
        long n = 0;
        for (Parameter p : named(block).values()) {
            n += p.getShape().size();
        }
        return n;
    }

    /**
     * Allocates the block's parameters on {@code manager} (float32) and fills them with values that
     * depend only on {@code seed} and each layer's path, so adding a block elsewhere leaves the other
     * initial values unchanged.
     */
    public static <B extends Block> B create(B block, NDManager manager, long seed) {
        return create(block, manager, seed, DataType.FLOAT32);
    }

    /** As {@link #create(Block, NDManager, long)} with parameters of another floating type (float64 for gradient checks). */
    public static <B extends Block> B create(B block, NDManager manager, long seed, DataType dataType) {
        block.initialize(manager, dataType, new Shape(1));
        reset(block, "", seed);
        return block;
    }

    private static void reset(Block block, String path, long seed) {
        if (block instanceof Layer layer) {
            layer.reset(SeedMix.derive(seed, path));
            for (Map.Entry<String, Block> c : layer.namedChildren().entrySet()) {
                reset(c.getValue(), path + c.getKey() + ".", seed);
            }
        }
    }

    /** Fills {@code a} (float32) with U(−bound, bound) from the counter stream {@code seed}; bound 0 gives zeros. */
    static void fillUniform(NDArray a, double bound, long seed) {
        float[] v = new float[Math.toIntExact(a.size())];
        if (bound > 0) {
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) ((2 * SeedMix.uniform(seed, i) - 1) * bound);
            }
        }
        assign(a, v);
    }

    /**
     * Copies host values into {@code target} in place. The copy keeps the array's engine-allocated
     * storage: DJL's {@code NDArray.set(Buffer)} on PyTorch instead re-points the tensor at a Java
     * direct buffer, whose arbitrary alignment can change the bits of later engine reductions (and so
     * break bit-exact resume).
     */
    public static void assign(NDArray target, float[] values) {
        try (NDArray tmp = target.getManager().create(values, target.getShape())) {
            target.set(new NDIndex("..."), tmp.toType(target.getDataType(), false));
        }
    }

    /** An array of n copies of value. */
    static float[] filled(int n, float value) {
        float[] v = new float[n];
        Arrays.fill(v, value);
        return v;
    }

    /** The parameter arrays under their keys (the arrays themselves, not copies). */
    public static Map<String, NDArray> arrays(Block block) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : named(block).entrySet()) {
            out.put(e.getKey(), e.getValue().getArray());
        }
        return out;
    }

    /**
     * Copies values into the block's parameters in place; every key must be present with its shape.
     *
     * @param source where the values come from (e.g. "checkpoint step-100/model.safetensors"), for messages
     */
    public static void load(Block block, Map<String, NDArray> values, String source) {
        Map<String, Parameter> params = named(block);
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            NDArray v = values.get(e.getKey());
            if (v == null) {
                throw new IllegalArgumentException(source + " has no tensor " + e.getKey());
            }
            copyInto(v, e.getValue().getArray(), source + ":" + e.getKey());
        }
        for (String k : values.keySet()) {
            if (!params.containsKey(k)) {
                throw new IllegalArgumentException(source + " has tensor " + k + " that the network does not have");
            }
        }
    }

    /** Copies {@code from} into {@code to} in place, keeping to's storage (same shape and data type). */
    public static void copyInto(NDArray from, NDArray to, String what) {
        if (!from.getShape().equals(to.getShape())) {
            throw new IllegalArgumentException(what + " has shape " + from.getShape() + ", expected " + to.getShape());
        }
        if (from.getDataType() != to.getDataType()) {
            throw new IllegalArgumentException(what + " has data type " + from.getDataType() + ", expected " + to.getDataType());
        }
        to.set(new NDIndex("..."), from);
    }
}
