package io.diffusion4j.nn;

import io.diffusion4j.util.Check;

import java.util.List;

/**
 * Shape of a {@link UNet}. The time embedding is sinusoidal of width C followed by Linear(C, 4C) →
 * SiLU → Linear(4C, 4C); a class embedding of K + 1 rows (row K = null label) is added to it.
 *
 * @param inChannels image channels (input and output)
 * @param baseChannels C; level l has C·channelMult[l] channels
 * @param channelMult channel multiplier per resolution level (at least one)
 * @param resBlocks residual blocks per level in the encoder (the decoder has one more per level)
 * @param attentionLevels levels (0-based) whose res blocks are followed by self-attention
 * @param middleAttention whether the middle block is ResBlock–Attention–ResBlock (else two ResBlocks)
 * @param heads attention heads
 * @param groups GroupNorm groups (dividing every channel count)
 * @param dropout dropout in the res blocks, in [0, 1)
 * @param numClasses K, or 0 for an unconditional network
 */
public record UNetConfig(int inChannels, int baseChannels, List<Integer> channelMult, int resBlocks,
                         List<Integer> attentionLevels, boolean middleAttention, int heads, int groups,
                         double dropout, int numClasses) {
    /** The fixed Fashion-MNIST network of the training issue: 1,624,577 parameters. */
    public static final UNetConfig FASHION_MNIST =
            new UNetConfig(1, 32, List.of(1, 2, 2), 2, List.of(2), true, 4, 8, 0.1, 10);

    public UNetConfig {
        Check.positive(inChannels, "inChannels");
        Check.positive(baseChannels, "baseChannels");
        Check.notNull(channelMult, "channelMult");
        if (channelMult.isEmpty()) {
            throw new IllegalArgumentException("channelMult needs at least one level");
        }
        channelMult = List.copyOf(channelMult);
        attentionLevels = List.copyOf(Check.notNull(attentionLevels, "attentionLevels"));
        Check.positive(resBlocks, "resBlocks");
        Check.positive(heads, "heads");
        Check.positive(groups, "groups");
        Check.inRange(dropout, 0.0, 0.999, "dropout");
        Check.nonNegative(numClasses, "numClasses");
        for (int m : channelMult) {
            int c = Check.positive(m, "channel multiplier") * baseChannels;
            if (c % groups != 0 || c % heads != 0) {
                throw new IllegalArgumentException("level channels " + c + " must be divisible by groups (" + groups
                        + ") and heads (" + heads + ")");
            }
        }
        if (baseChannels % groups != 0 || baseChannels % 2 != 0) {
            throw new IllegalArgumentException("baseChannels must be even and divisible by groups (" + groups + "), got " + baseChannels);
        }
        for (int l : attentionLevels) {
            Check.inRange(l, 0, channelMult.size() - 1, "attention level");
        }
    }

    /** Width of the time (and class) embedding, 4C. */
    public int embeddingDim() {
        return 4 * baseChannels;
    }

    /** Channels at level l. */
    public int channels(int level) {
        return baseChannels * channelMult.get(level);
    }

    /** Number of resolution levels. */
    public int levels() {
        return channelMult.size();
    }

    /** Whether labels condition the network. */
    public boolean conditional() {
        return numClasses > 0;
    }

    /** The same network with another dropout. */
    public UNetConfig withDropout(double d) {
        return new UNetConfig(inChannels, baseChannels, channelMult, resBlocks, attentionLevels, middleAttention, heads, groups, d, numClasses);
    }
}
