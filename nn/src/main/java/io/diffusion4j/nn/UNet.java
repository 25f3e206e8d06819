package io.diffusion4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.diffusion4j.util.Check;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The DDPM U-Net (Ho et al. 2020, App. B, with the attention heads and class embedding of Dhariwal
 * &amp; Nichol 2021) as a DJL block, configured by {@link UNetConfig}.
 *
 * <p>Encoder: conv_in, then per level {@code resBlocks} res blocks (each followed by attention at
 * attention levels) and a stride-2 downsample except at the last level. Middle: Res–Attn–Res.
 * Decoder: per level in reverse, {@code resBlocks + 1} res blocks each on the concatenation of the
 * current features with the skip popped from the stack (conv_in output, every encoder block output,
 * every downsample output), attention where the encoder had it, and an upsample except at level 0.
 * Out: GroupNorm, SiLU, 3×3 conv (zero-initialised).
 *
 * <p>Inputs to {@link #forward(ParameterStore, NDArray, NDArray, NDArray, boolean)}: x (N, C, H, W),
 * t (N,) schedule times (for discrete schedules the index 0 … T−1), labels int64 (N,) in 0 … K
 * (K = null label) or null (all null). Output: same shape as x.
 *
 * <p>Parameter keys ({@link Params#named}): {@code time_embedding.linear_1.weight},
 * {@code class_embedding.weight}, {@code conv_in.weight}, {@code down.<l>.res.<i>.conv1.weight},
 * {@code down.<l>.attn.<i>.qkv.weight}, {@code down.<l>.downsample.conv.weight},
 * {@code mid.res_1…}, {@code mid.attn…}, {@code mid.res_2…}, {@code up.<l>.res.<i>…},
 * {@code up.<l>.attn.<i>…}, {@code up.<l>.upsample.conv…}, {@code norm_out…}, {@code conv_out…}.
 */
public final class UNet extends DenoiserLayer {
    private final UNetConfig config;
    private final TimestepEmbedding timeEmbedding;
    private final ClassEmbedding classEmbedding;
    private final Conv convIn;
    private final List<Level> down = new ArrayList<>();
    private final ResBlock midRes1;
    private final SelfAttention2d midAttn;
    private final ResBlock midRes2;
    private final List<Level> up = new ArrayList<>();
    private final GroupNorm normOut;
    private final Conv convOut;

    /** The blocks of one resolution level; attn entries are null where there is no attention. */
    private record Level(List<ResBlock> res, List<SelfAttention2d> attn, Downsample downsample, Upsample upsample) {}

    /** A U-Net of the given shape; call {@link Params#create} to initialise it. */
    public UNet(UNetConfig config) {
        this.config = Check.notNull(config, "config");
        int c = config.baseChannels();
        int emb = config.embeddingDim();
        int g = config.groups();
        double dropout = config.dropout();
        timeEmbedding = child("time_embedding", new TimestepEmbedding(c, emb));
        classEmbedding = config.conditional() ? child("class_embedding", new ClassEmbedding(config.numClasses(), emb)) : null;
        convIn = child("conv_in", new Conv(config.inChannels(), c, 3));
        Deque<Integer> skips = new ArrayDeque<>();
        skips.push(c);
        int ch = c;
        int last = config.levels() - 1;
        for (int l = 0; l <= last; l++) {
            boolean attention = config.attentionLevels().contains(l);
            List<ResBlock> res = new ArrayList<>();
            List<SelfAttention2d> attn = new ArrayList<>();
            for (int i = 0; i < config.resBlocks(); i++) {
                res.add(child("down." + l + ".res." + i, new ResBlock(ch, config.channels(l), emb, g, dropout)));
                ch = config.channels(l);
                attn.add(attention ? child("down." + l + ".attn." + i, new SelfAttention2d(ch, config.heads(), g)) : null);
                skips.push(ch);
            }
            Downsample ds = null;
            if (l != last) {
                ds = child("down." + l + ".downsample", new Downsample(ch));
                skips.push(ch);
            }
            down.add(new Level(res, attn, ds, null));
        }
        midRes1 = child("mid.res_1", new ResBlock(ch, ch, emb, g, dropout));
        midAttn = config.middleAttention() ? child("mid.attn", new SelfAttention2d(ch, config.heads(), g)) : null;
        midRes2 = child("mid.res_2", new ResBlock(ch, ch, emb, g, dropout));
        for (int l = last; l >= 0; l--) {
            boolean attention = config.attentionLevels().contains(l);
            List<ResBlock> res = new ArrayList<>();
            List<SelfAttention2d> attn = new ArrayList<>();
            for (int i = 0; i <= config.resBlocks(); i++) {
                res.add(child("up." + l + ".res." + i, new ResBlock(ch + skips.pop(), config.channels(l), emb, g, dropout)));
                ch = config.channels(l);
                attn.add(attention ? child("up." + l + ".attn." + i, new SelfAttention2d(ch, config.heads(), g)) : null);
            }
            Upsample us = l != 0 ? child("up." + l + ".upsample", new Upsample(ch)) : null;
            up.add(new Level(res, attn, null, us));
        }
        normOut = child("norm_out", new GroupNorm(g, ch));
        convOut = child("conv_out", new Conv(ch, config.inChannels(), 3, 1, true));
    }

    /** The configuration. */
    public UNetConfig config() {
        return config;
    }

    /**
     * The network output for x at times t with labels.
     *
     * @param labels int64 (N,) in 0 … K, or null for the null label (ignored by unconditional networks)
     * @param training whether dropout is active
     */
    public NDArray forward(ParameterStore ps, NDArray x, NDArray t, NDArray labels, boolean training) {
        Shape s = x.getShape();
        if (s.dimension() != 4 || s.get(1) != config.inChannels()) {
            throw new IllegalArgumentException("UNet expects input (N, " + config.inChannels() + ", H, W), got " + s);
        }
        if (t.getShape().size() != s.get(0)) {
            throw new IllegalArgumentException("t must have shape (" + s.get(0) + "), got " + t.getShape());
        }
        NDArray emb = timeEmbedding.forward(ps, t.reshape(-1), training);
        if (classEmbedding != null) {
            emb = emb.add(classEmbedding.forBatch(ps, labels, s.get(0), x.getManager(), training));
        }
        NDArray e = silu(emb);
        NDArray h = convIn.forward(ps, x, training);
        Deque<NDArray> skips = new ArrayDeque<>();
        skips.push(h);
        // Intermediates are released as soon as they are used (see Layer#release); skips live until popped.
        for (Level level : down) {
            for (int i = 0; i < level.res().size(); i++) {
                h = level.res().get(i).forward(ps, h, e, training);
                if (level.attn().get(i) != null) {
                    h = release(level.attn().get(i).forward(ps, h, training), h);
                }
                skips.push(h);
            }
            if (level.downsample() != null) {
                h = level.downsample().forward(ps, h, training);
                skips.push(h);
            }
        }
        NDArray m = midRes1.forward(ps, h, e, training);
        if (midAttn != null) {
            m = release(midAttn.forward(ps, m, training), m);
        }
        h = release(midRes2.forward(ps, m, e, training), m);
        for (Level level : up) {
            for (int i = 0; i < level.res().size(); i++) {
                NDArray skip = skips.pop();
                NDArray joined = release(NDArrays.concat(new NDList(h, skip), 1), h, skip);
                h = release(level.res().get(i).forward(ps, joined, e, training), joined);
                if (level.attn().get(i) != null) {
                    h = release(level.attn().get(i).forward(ps, h, training), h);
                }
            }
            if (level.upsample() != null) {
                Shape target = skips.peek().getShape();
                h = release(level.upsample().forward(ps, h, target.get(2), target.get(3), training), h);
            }
        }
        NDArray g = release(normOut.forwardSilu(ps, h, training), h);
        return release(convOut.forward(ps, g, training), g);
    }
}
