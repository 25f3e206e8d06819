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
        NDArray n = norm.forward(ps, x, training);
        NDArray a = release(qkv.forward(ps, n, training), n);
        NDArray out = release(attend(a, s.get(0), heads, channels / heads, s.get(2) * s.get(3)), a);
        NDArray image = release(out.reshape(s), out);
        NDArray p = release(proj.forward(ps, image, training), image);
        return release(x.add(p), p);
    }

    /**
     * The attention core: from qkv (N, 3·heads·d, H, W) to (N, heads·d, L), L = H·W, computing
     * softmax(qᵀk/√d) over keys for each query and head.
     */
    static NDArray attend(NDArray qkv, long n, int heads, long d, long length) {
        NDArray a = qkv.reshape(n, 3, heads, d, length);
        NDArray q = part(a, 0, n * heads, d, length);
        q = release(q.mul(1.0 / Math.sqrt(d)), q);
        NDArray k = part(a, 1, n * heads, d, length);
        NDArray v = release(part(a, 2, n * heads, d, length), a);
        NDArray qt = release(q.transpose(0, 2, 1), q);
        NDArray logits = release(qt.matMul(k), qt, k);
        NDArray weights = release(logits.softmax(-1), logits);   // (n·h, L_query, L_key)
        NDArray wt = release(weights.transpose(0, 2, 1), weights);
        NDArray out = release(v.matMul(wt), v, wt);
        return release(out.reshape(n, heads * d, length), out);
    }

    /** Part {@code i} (0 = q, 1 = k, 2 = v) of the (n, 3, heads, d, L) view as (n·heads, d, L). */
    private static NDArray part(NDArray a, int i, long rows, long d, long length) {
        NDArray p = a.get(":, " + i);
        return release(p.reshape(rows, d, length), p);
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
