package io.diffusion4j.random;

/**
 * The float32 Box–Muller block of PyTorch's AVX2 normal kernel ({@code normal_fill_16_AVX2}) and the
 * Cephes-style logarithm and sine/cosine it uses ({@code log256_ps}, {@code sincos256_ps} of {@code
 * avx_mathfun.h}, after J. Pommier's {@code sse_mathfun} and S. Moshier's Cephes library), one lane at
 * a time. Every operation is a float32 operation in the kernel's order; where GCC contracts a product
 * and a sum of the vector code into one fused multiply-add (PyTorch builds its AVX2 kernels with
 * {@code -mfma}, and GCC contracts by default), {@link Math#fma(float, float, float)} does the same, so
 * the results are the same bits. Verified against torch 1.13 (see {@code TorchGeneratorTest}).
 */
final class AvxMath {
    private AvxMath() {}

    private static final float TWO_PI = (float) (2.0 * Math.PI);

    private static final float SQRTHF = (float) 0.707106781186547524;
    private static final float[] LOG_P = {
        (float) 7.0376836292E-2, (float) -1.1514610310E-1, (float) 1.1676998740E-1, (float) -1.2420140846E-1,
        (float) 1.4249322787E-1, (float) -1.6668057665E-1, (float) 2.0000714765E-1, (float) -2.4999993993E-1,
        (float) 3.3333331174E-1};
    private static final float LOG_Q1 = (float) -2.12194440e-4;
    private static final float LOG_Q2 = 0.693359375f;

    private static final float FOPI = (float) 1.27323954473516;
    private static final float MINUS_DP1 = -0.78515625f;
    private static final float MINUS_DP2 = (float) -2.4187564849853515625e-4;
    private static final float MINUS_DP3 = (float) -3.77489497744594108e-8;
    private static final float SIN_P0 = (float) -1.9515295891E-4;
    private static final float SIN_P1 = (float) 8.3321608736E-3;
    private static final float SIN_P2 = (float) -1.6666654611E-1;
    private static final float COS_P0 = (float) 2.443315711809948E-005;
    private static final float COS_P1 = (float) -1.388731625493765E-003;
    private static final float COS_P2 = (float) 4.166664568298827E-002;

    /**
     * Replaces the 16 uniforms {@code data[at … at+15]} by normals: for j &lt; 8, with u₁ = 1 − data[j] and
     * u₂ = data[j+8], r = √(−2·log u₁), θ = 2π·u₂, data[j] = r·cos θ and data[j+8] = r·sin θ.
     */
    static void boxMuller16(float[] data, int at) {
        for (int j = 0; j < 8; j++) {
            float u1 = 1.0f - data[at + j];
            float u2 = data[at + j + 8];
            float radius = (float) Math.sqrt(-2.0f * log(u1));
            float theta = TWO_PI * u2;
            float[] sc = sincos(theta);
            // _mm256_fmadd_ps(n, std = 1, mean = 0)
            data[at + j] = Math.fma(radius * sc[1], 1.0f, 0.0f);
            data[at + j + 8] = Math.fma(radius * sc[0], 1.0f, 0.0f);
        }
    }

    /** {@code log256_ps} for one lane: the natural logarithm (NaN for x ≤ 0). */
    static float log(float x) {
        boolean invalid = x <= 0;
        x = Math.max(x, Float.MIN_NORMAL);
        int bits = Float.floatToRawIntBits(x);
        int exponent = bits >>> 23;
        x = Float.intBitsToFloat((bits & ~0x7f800000) | Float.floatToRawIntBits(0.5f));
        float e = (float) (exponent - 0x7f);
        e = e + 1.0f;
        boolean small = x < SQRTHF;
        float tmp = small ? x : 0.0f;
        x = x - 1.0f;
        e = e - (small ? 1.0f : 0.0f);
        x = x + tmp;
        float z = x * x;
        float y = LOG_P[0];
        for (int k = 1; k < LOG_P.length; k++) {
            y = Math.fma(y, x, LOG_P[k]);
        }
        y = y * x;
        y = Math.fma(y, z, e * LOG_Q1);
        y = Math.fma(-z, 0.5f, y);
        x = x + y;
        x = Math.fma(e, LOG_Q2, x);
        return invalid ? Float.NaN : x;
    }

    /** {@code sincos256_ps} for one lane: {sin x, cos x}. */
    static float[] sincos(float x) {
        int signSin = Float.floatToRawIntBits(x) & 0x80000000;
        x = Math.abs(x);
        float y = x * FOPI;
        int j = (int) y;
        j = (j + 1) & ~1;
        y = (float) j;
        int swapSignSin = (j & 4) << 29;
        boolean polyMask = (j & 2) == 0;
        x = Math.fma(y, MINUS_DP1, x);
        x = Math.fma(y, MINUS_DP2, x);
        x = Math.fma(y, MINUS_DP3, x);
        int signCos = (~(j - 2) & 4) << 29;
        signSin ^= swapSignSin;

        float z = x * x;
        float c = COS_P0;
        c = Math.fma(c, z, COS_P1);
        c = Math.fma(c, z, COS_P2);
        c = c * z;
        c = Math.fma(c, z, -(z * 0.5f));
        c = c + 1.0f;

        float s = SIN_P0;
        s = Math.fma(s, z, SIN_P1);
        s = Math.fma(s, z, SIN_P2);
        s = s * z;
        s = Math.fma(s, x, x);

        float sinFromSin = polyMask ? s : 0.0f;
        float sinFromCos = polyMask ? 0.0f : c;
        float s2 = s - sinFromSin;
        float c2 = c - sinFromCos;
        float sin = sinFromCos + sinFromSin;
        float cos = c2 + s2;
        return new float[] {
            Float.intBitsToFloat(Float.floatToRawIntBits(sin) ^ signSin),
            Float.intBitsToFloat(Float.floatToRawIntBits(cos) ^ signCos)};
    }
}
