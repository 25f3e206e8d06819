package io.diffusion4j.nn;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * PyTorch kernels that DJL does not wrap, reached through TorchScript: each op is a tiny scripted
 * module whose source is written here (no Python involved), compiled by the engine once and then
 * called like any other op, with autograd recording it when a gradient collector is open. Used where
 * DJL would otherwise need several ops and several backward passes over a full-size tensor:
 * {@code group_norm} (normalisation and affine in one kernel, instead of layer norm, mul and add) and
 * {@code silu} (one kernel instead of sigmoid and mul): with them the default U-Net's training step
 * took 11% less time and its forward pass 17% less (bench/README.md). The results are those of
 * {@code torch.nn.GroupNorm} and {@code torch.nn.functional.silu}, for float32 and float64. Also here:
 * bulk no-gradient updates over all parameters in one call ({@code _foreach} ops) and the bfloat16
 * convolution of {@link Autocast}.
 *
 * <p>The TorchScript graph executor's optimisation is switched off for these calls (on the calling
 * thread): it would profile the first calls and then run a different plan, and a resumed run must
 * execute exactly what the uninterrupted run executed.
 */
public final class TorchOps {
    private static final Map<String, PtSymbolBlock> MODULES = new ConcurrentHashMap<>();
    private static volatile NDManager owner;

    private TorchOps() {}

    /** SiLU(x) = x·σ(x) (Elfwing et al. 2018) as PyTorch's fused {@code silu}; same shape as x. */
    public static NDArray silu(NDArray x) {
        return call(module("Silu", "x: Tensor", "return torch.silu(x)"), x);
    }

    /**
     * Group normalisation of x (N, C, …) with per-channel γ and β (C), as PyTorch's
     * {@code group_norm}, followed by SiLU when {@code silu} is set.
     *
     * @param eps added to the (biased) variance
     */
    public static NDArray groupNorm(NDArray x, int groups, NDArray gamma, NDArray beta, float eps, boolean silu) {
        // the float eps as the decimal the user wrote (1e-5f -> 1e-05), as torch.nn.GroupNorm(eps=1e-5) holds it
        String e = String.format(Locale.ROOT, "%.17g", Double.parseDouble(Float.toString(eps)));
        String gn = "torch.group_norm(x, " + groups + ", w, b, " + e + ", False)";
        PtSymbolBlock m = silu
                ? module("GroupNormSilu" + groups, "x: Tensor, w: Tensor, b: Tensor", "return torch.silu(" + gn + ")")
                : module("GroupNorm" + groups, "x: Tensor, w: Tensor, b: Tensor", "return " + gn);
        return call(m, x, gamma, beta);
    }

    /**
     * A 2-D convolution (square stride and padding) computed in bfloat16: x, w and b are cast to
     * bfloat16, convolved, and the result cast back to x's type ({@link Autocast}). Autograd flows
     * through the casts, so w and b receive gradients in their own type.
     */
    public static NDArray conv2dBf16(NDArray x, NDArray w, NDArray b, int stride, int padding) {
        String s = "[" + stride + ", " + stride + "]";
        String p = "[" + padding + ", " + padding + "]";
        // serialized TorchScript names dtypes by their ScalarType number: 15 = bfloat16
        PtSymbolBlock m = module("Conv2dBf16", "x: Tensor, w: Tensor, b: Tensor",
                "y = torch.conv2d(torch.to(x, 15), torch.to(w, 15), torch.to(b, 15), " + s + ", " + p + ")",
                "return torch.to(y, x.dtype)");
        return call(m, x, w, b);
    }

    /**
     * Exponential moving average of parameters in place, in one engine call for all tensors:
     * e ← e·decay + p·(1 − decay) (both products rounded to float as the per-tensor form
     * {@code e.muli(d).addi(p.mul(1 − d))} rounds them). No gradient is recorded.
     *
     * @param decay in [0, 1]; used as float32, as the arrays are
     */
    public static void emaUpdate(List<NDArray> ema, List<NDArray> params, float decay) {
        if (ema.size() != params.size()) {
            throw new IllegalArgumentException("EMA has " + ema.size() + " tensors, the model " + params.size());
        }
        PtSymbolBlock m = module("EmaUpdate", "e: List[Tensor], p: List[Tensor], d: float, c: float",
                "torch._foreach_mul_(e, d)", "torch._foreach_add_(e, torch._foreach_mul(p, c))", "return torch.empty([0])");
        try (IValue e = list(ema); IValue p = list(params); IValue d = IValue.from((double) decay);
             IValue c = IValue.from((double) (1f - decay))) {
            run(m, e, p, d, c).close();
        }
    }

    /** The L2 norm of each tensor (e.g. each gradient) as float32, in one engine call; no gradient is recorded. */
    public static float[] norms(List<NDArray> tensors, NDManager manager) {
        PtSymbolBlock m = module("Norms", "g: List[Tensor]", "return torch.stack(torch._foreach_norm(g))");
        try (IValue g = list(tensors); IValue out = run(m, g); NDArray n = out.toTensor((PtNDManager) manager)) {
            return n.toFloatArray();
        }
    }

    private static IValue list(List<NDArray> arrays) {
        return IValue.listFrom(arrays.stream().map(a -> (PtNDArray) a).toArray(PtNDArray[]::new));
    }

    private static IValue run(PtSymbolBlock module, IValue... inputs) {
        JniUtils.setGraphExecutorOptimize(false);
        return IValueUtils.runMethod(module, "forward", inputs);   // DJL runs methods without autograd
    }

    private static NDArray call(PtSymbolBlock module, NDArray... inputs) {
        // DJL reads meaning into input names ("a.b" -> dict, "a[]" -> list): pass the arrays unnamed
        String[] names = new String[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            names[i] = inputs[i].getName();
            if (names[i] != null) {
                inputs[i].setName(null);
            }
        }
        try {
            JniUtils.setGraphExecutorOptimize(false);
            // "true": run in the caller's grad mode (DJL's "false" forces no-grad)
            return IValueUtils.forward(module, new NDList(inputs), true).singletonOrThrow();
        } finally {
            for (int i = 0; i < inputs.length; i++) {
                if (names[i] != null) {
                    inputs[i].setName(names[i]);
                }
            }
        }
    }

    /** The module {@code class name: def forward(self, params) -> Tensor: statements}, compiled once. */
    private static PtSymbolBlock module(String name, String params, String... statements) {
        String body = String.join("\n    ", statements);
        String key = name + "(" + params + "): " + body;
        PtSymbolBlock m = MODULES.get(key);
        return m != null ? m : MODULES.computeIfAbsent(key, k -> compile(name, params, body));
    }

    private static PtSymbolBlock compile(String name, String params, String body) {
        String source = "class " + name + "(Module):\n"
                + "  __parameters__ = []\n"
                + "  __buffers__ = []\n"
                + "  training : bool\n"
                + "  def forward(self: __torch__." + name + ", " + params + ") -> Tensor:\n"
                + "    " + body + "\n";
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
                String dir = name + "/";
                store(zip, dir + "data.pkl", modulePickle(name));
                store(zip, dir + "code/__torch__.py", source.getBytes(StandardCharsets.UTF_8));
                store(zip, dir + "constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});   // an empty tuple
                store(zip, dir + "version", "3".getBytes(StandardCharsets.US_ASCII));
            }
            return JniUtils.loadModule((PtNDManager) owner(), new ByteArrayInputStream(bytes.toByteArray()), false, false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build the TorchScript op " + name, e);
        } catch (EngineException e) {
            throw new IllegalStateException("the engine cannot compile the TorchScript op " + name + ": " + e.getMessage(), e);
        }
    }

    private static NDManager owner() {
        if (owner == null) {
            synchronized (TorchOps.class) {
                if (owner == null) {
                    owner = NDManager.newBaseManager("PyTorch");   // holds the compiled modules for the life of the process
                }
            }
        }
        return owner;
    }

    /**
     * The module object of a TorchScript archive, pickled (protocol 2): an instance of
     * {@code __torch__.<name>} whose state is {@code {"training": True}}.
     */
    private static byte[] modulePickle(String name) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(0x80);                                            // PROTO 2
        o.write(2);
        o.writeBytes(("c__torch__\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));   // GLOBAL
        o.write(')');                                             // EMPTY_TUPLE
        o.write(0x81);                                            // NEWOBJ
        o.write('}');                                             // EMPTY_DICT
        o.write('(');                                             // MARK
        byte[] key = "training".getBytes(StandardCharsets.US_ASCII);
        o.write('X');                                             // BINUNICODE, 4-byte little-endian length
        o.write(key.length);
        o.write(0);
        o.write(0);
        o.write(0);
        o.writeBytes(key);
        o.write(0x88);                                            // NEWTRUE
        o.write('u');                                             // SETITEMS
        o.write('b');                                             // BUILD
        o.write('.');                                             // STOP
        return o.toByteArray();
    }

    private static void store(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }
}
