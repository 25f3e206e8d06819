package io.diffusion4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.diffusion4j.util.Check;

/**
 * Multi-head self-attention over the pixels of a feature map, with a residual connection
 * (Vaswani et al. 2017, eq. 1; the attention block of the DDPM U-Net): h = GN(x);
 * [q, k, v] = qkv(h) (a 1×1 convolution with bias, output channels ordered q, k, v and, within each,
 * head-major); per head softmax(qᵀk/√d)·v with d = C/heads; out = x + proj(attention).
 * proj starts at zero, so the block starts as the identity. Children: {@code norm, qkv, proj}.
 */
public final class SelfAttention2d extends Layer {
    private final int channels;
    private final int heads;
    private final GroupNorm norm;
    private final Conv qkv;
    private final Conv proj;

    /**
     * @param channels C, divisible by heads and groups
     * @param heads number of heads ≥ 1
     * @param groups GroupNorm groups
     */
    public SelfAttention2d(int channels, int heads, int groups) {
        this.channels = Check.positive(channels, "channels");
        this.heads = Check.positive(heads, "heads");
        if (channels % heads != 0) {
            throw new IllegalArgumentException("channels (" + channels + ") must be divisible by heads (" + heads + ")");
        }
        norm = child("norm", new GroupNorm(groups, channels));
        qkv = child("qkv", new Conv(channels, 3 * channels, 1));
        proj = child("proj", new Conv(channels, channels, 1, 1, true));
    }

    /** Attention of x (N, C, H, W) over its H·W positions, plus x. */
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        Shape s = x.getShape();
        if (s.get(1) != channels) {
            throw new IllegalArgumentException("attention expects " + channels + " channels, got shape " + s);
        }
        NDArray a = qkv.forward(ps, norm.forward(ps, x, training), training);
        NDArray out = attend(a, s.get(0), heads, channels / heads, s.get(2) * s.get(3));
        return x.add(proj.forward(ps, out.reshape(s), training));
    }

    /**
     * The attention core: from qkv (N, 3·heads·d, H, W) to (N, heads·d, L), L = H·W, computing
     * softmax(qᵀk/√d) over keys for each query and head.
     */
    static NDArray attend(NDArray qkv, long n, int heads, long d, long length) {
        NDArray a = qkv.reshape(n, 3, heads, d, length);
        NDArray q = a.get(":, 0").reshape(n * heads, d, length).mul(1.0 / Math.sqrt(d));
        NDArray k = a.get(":, 1").reshape(n * heads, d, length);
        NDArray v = a.get(":, 2").reshape(n * heads, d, length);
        NDArray weights = q.transpose(0, 2, 1).matMul(k).softmax(-1);   // (n·h, L_query, L_key)
        return v.matMul(weights.transpose(0, 2, 1)).reshape(n, heads * d, length);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return list(forward(ps, inputs.singletonOrThrow(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        return new Shape[] {inputs[0]};
    }
}
