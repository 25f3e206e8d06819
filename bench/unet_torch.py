#!/usr/bin/python3
"""PyTorch twin of Diffusion4J's default Fashion-MNIST U-Net and of one step of its trainer.

Network: io.diffusion4j.nn.UNet with UNetConfig.FASHION_MNIST, op for op in the same order (GroupNorm
eps 1e-5; SiLU; ResBlock h = conv1(SiLU(GN(x))) + Linear(e); conv2(dropout(SiLU(GN(h)))) + skip(x);
attention: GN, 1x1 qkv, (N, 3, heads, d, L) split, softmax(q^T k / sqrt d), v·w^T, 1x1 proj, residual;
stride-2 3x3 downsample; nearest upsample to the skip's size + 3x3 conv; decoder concatenates
[h, skip]; time embedding cos-first sinusoidal of width C -> Linear -> SiLU -> Linear; class embedding
of K + 1 rows added; e = SiLU(emb) shared by all res blocks). 1,624,577 parameters.

Training step: io.diffusion4j.train.Trainer.step with the diffusion objective of TrainMain: a gathered
uint8 batch scaled to [-1, 1], t ~ U{0..999}, eps ~ N(0, I), DDPM linear beta 1e-4..0.02 (alpha-bar in
float64), x_t = sqrt(ab) x0 + sqrt(1 - ab) eps, Min-SNR-5 weights for the eps target, label dropout
0.1 to the null label 10, the engine generator reseeded for dropout, weighted MSE, backward,
global-norm clipping at 1.0 with a NaN/Inf guard, AdamW (lr 2e-4, betas 0.9/0.999, eps 1e-8,
weight decay 0.01; PyTorch's default implementation), EMA update of every parameter.

Run with Debian's python3-torch (torch and the standard library only):
    /usr/bin/python3 bench/unet_torch.py [--threads 2] [--batch 128] [--warmup 3] [--steps 10]
    /usr/bin/python3 bench/unet_torch.py --count      # parameter count only
    /usr/bin/python3 bench/unet_torch.py --check DIR  # same output as Java's on Java's weights and inputs?
    /usr/bin/python3 bench/unet_torch.py --bf16       # bfloat16 convolutions (torch 1.13's CPU autocast
                                                      # fails on group_norm), as Java's Autocast
Prints one JSON object per line: train img/s, forward-only img/s (no grad, eval mode), peak RSS
(VmHWM); each timing is the median over the timed steps after the warm-up steps.
"""
import argparse
import json
import math
import os
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

C, MULT, RES_BLOCKS, ATTN_LEVELS, HEADS, GROUPS, DROPOUT, CLASSES = 32, (1, 2, 2), 2, (2,), 4, 8, 0.1, 10
EMB = 4 * C
T = 1000


BF16_CONV = False   # --bf16: convolutions in bfloat16, everything else float32 (io.diffusion4j.nn.Autocast)


class Conv2d(nn.Conv2d):
    def forward(self, x):
        if not BF16_CONV:
            return super().forward(x)
        bf = torch.bfloat16
        return F.conv2d(x.to(bf), self.weight.to(bf), self.bias.to(bf), self.stride, self.padding).to(x.dtype)


def zero(m):
    nn.init.zeros_(m.weight)
    nn.init.zeros_(m.bias)
    return m


class ResBlock(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.norm1 = nn.GroupNorm(GROUPS, cin)
        self.conv1 = Conv2d(cin, cout, 3, padding=1)
        self.emb_proj = nn.Linear(EMB, cout)
        self.norm2 = nn.GroupNorm(GROUPS, cout)
        self.dropout = nn.Dropout(DROPOUT)
        self.conv2 = zero(Conv2d(cout, cout, 3, padding=1))
        self.skip = Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x, e):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.emb_proj(e)[:, :, None, None]
        h = self.conv2(self.dropout(F.silu(self.norm2(h))))
        return (x if self.skip is None else self.skip(x)) + h


class SelfAttention2d(nn.Module):
    def __init__(self, ch):
        super().__init__()
        self.norm = nn.GroupNorm(GROUPS, ch)
        self.qkv = Conv2d(ch, 3 * ch, 1)
        self.proj = zero(Conv2d(ch, ch, 1))

    def forward(self, x):
        n, ch, h, w = x.shape
        d, length = ch // HEADS, h * w
        a = self.qkv(self.norm(x)).reshape(n, 3, HEADS, d, length)
        q = a[:, 0].reshape(n * HEADS, d, length) * (1.0 / math.sqrt(d))
        k = a[:, 1].reshape(n * HEADS, d, length)
        v = a[:, 2].reshape(n * HEADS, d, length)
        weights = torch.matmul(q.transpose(1, 2), k).softmax(-1)
        out = torch.matmul(v, weights.transpose(1, 2)).reshape(n, ch, h, w)
        return x + self.proj(out)


class TimestepEmbedding(nn.Module):
    def __init__(self):
        super().__init__()
        half = C // 2
        self.register_buffer("freqs", torch.tensor([math.exp(-math.log(10000.0) * i / half) for i in range(half)],
                                                   dtype=torch.float32).reshape(1, half), persistent=False)
        self.linear_1 = nn.Linear(C, EMB)
        self.linear_2 = nn.Linear(EMB, EMB)

    def forward(self, t):
        args = t.reshape(-1, 1) * self.freqs
        return self.linear_2(F.silu(self.linear_1(torch.cat([args.cos(), args.sin()], 1))))


class Resample(nn.Module):
    """Downsample (3x3 conv, stride 2) or Upsample (nearest to the skip's size, then 3x3 conv); child conv."""

    def __init__(self, ch, down):
        super().__init__()
        self.down = down
        self.conv = Conv2d(ch, ch, 3, stride=2 if down else 1, padding=1)

    def forward(self, x, size=None):
        return self.conv(x if self.down else F.interpolate(x, size=size, mode="nearest"))


class Level(nn.Module):
    def __init__(self, res, attn, resample_name=None, resample=None):
        super().__init__()
        self.res = nn.ModuleList(res)
        self.attn = nn.ModuleDict(attn)          # keyed by res-block index, only where there is attention
        if resample is not None:
            self.add_module(resample_name, resample)


class UNet(nn.Module):
    """Module names follow the Java parameter keys, so state_dict() keys equal io.diffusion4j.nn.Params.named."""

    def __init__(self):
        super().__init__()
        self.time_embedding = TimestepEmbedding()
        self.class_embedding = nn.Embedding(CLASSES + 1, EMB)
        self.conv_in = Conv2d(1, C, 3, padding=1)
        skips, ch = [C], C
        self.down = nn.ModuleDict()
        for level, mult in enumerate(MULT):
            res, attn = [], {}
            for i in range(RES_BLOCKS):
                res.append(ResBlock(ch, C * mult))
                ch = C * mult
                if level in ATTN_LEVELS:
                    attn[str(i)] = SelfAttention2d(ch)
                skips.append(ch)
            last = level == len(MULT) - 1
            if not last:
                skips.append(ch)
            self.down[str(level)] = Level(res, attn, "downsample", None if last else Resample(ch, True))
        self.mid = nn.Module()
        self.mid.res_1, self.mid.attn, self.mid.res_2 = ResBlock(ch, ch), SelfAttention2d(ch), ResBlock(ch, ch)
        self.up = nn.ModuleDict()
        for level, mult in reversed(list(enumerate(MULT))):
            res, attn = [], {}
            for i in range(RES_BLOCKS + 1):
                res.append(ResBlock(ch + skips.pop(), C * mult))
                ch = C * mult
                if level in ATTN_LEVELS:
                    attn[str(i)] = SelfAttention2d(ch)
            self.up[str(level)] = Level(res, attn, "upsample", Resample(ch, False) if level != 0 else None)
        self.norm_out = nn.GroupNorm(GROUPS, ch)
        self.conv_out = zero(Conv2d(ch, 1, 3, padding=1))

    @staticmethod
    def _attend(level, i, h):
        return level.attn[str(i)](h) if str(i) in level.attn else h

    def forward(self, x, t, labels):
        e = F.silu(self.time_embedding(t) + self.class_embedding(labels))
        h = self.conv_in(x)
        skips = [h]
        for level in self.down.values():
            for i, res in enumerate(level.res):
                h = self._attend(level, i, res(h, e))
                skips.append(h)
            if hasattr(level, "downsample"):
                h = level.downsample(h)
                skips.append(h)
        h = self.mid.res_2(self.mid.attn(self.mid.res_1(h, e)), e)
        for level in self.up.values():
            for i, res in enumerate(level.res):
                h = self._attend(level, i, res(torch.cat([h, skips.pop()], 1), e))
            if hasattr(level, "upsample"):
                h = level.upsample(h, skips[-1].shape[2:])
        return self.conv_out(F.silu(self.norm_out(h)))


class TrainStep:
    """One step of io.diffusion4j.train.Trainer with DiffusionObjective (eps, Min-SNR-5, p_uncond 0.1)."""

    def __init__(self, batch, images=60_000, seed=0):
        g = torch.Generator().manual_seed(seed)
        self.batch = batch
        self.pixels = torch.randint(0, 256, (images, 1, 28, 28), dtype=torch.uint8, generator=g)
        self.labels = torch.randint(0, CLASSES, (images,), generator=g)
        betas = torch.linspace(1e-4, 0.02, T, dtype=torch.float64)
        self.alpha_bar = torch.cumprod(1 - betas, 0)
        self.model = UNet().train()
        self.ema = UNet()
        self.ema.load_state_dict(self.model.state_dict())
        self.ema.requires_grad_(False)
        self.params = list(self.model.parameters())
        self.ema_params = list(self.ema.parameters())
        self.opt = torch.optim.AdamW(self.params, lr=2e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)
        self.step_count = 0
        self.seed = seed

    def __call__(self, clock=None):
        """One step; with clock (a list), appends perf_counter() after each phase (batch, forward,
        backward, grad_norm, adamw, zero_grad, ema) for StepProfile-style timings."""
        mark = (lambda: clock.append(time.perf_counter())) if clock is not None else (lambda: None)
        s, n = self.step_count, self.batch
        lr = 2e-4 * min(1.0, (s + 1) / 500)          # linear warm-up as TrainConfig.FASHION_MNIST
        for group in self.opt.param_groups:
            group["lr"] = lr
        idx = torch.randint(0, self.pixels.shape[0], (n,))
        x0 = self.pixels[idx].to(torch.float32).div(127.5).sub(1)
        labels = self.labels[idx]
        t = torch.randint(0, T, (n,))
        eps = torch.randn(x0.shape)
        ab = self.alpha_bar[t]
        alpha = ab.sqrt().to(torch.float32).reshape(n, 1, 1, 1)
        sigma = (1 - ab).sqrt().to(torch.float32).reshape(n, 1, 1, 1)
        snr = ab / (1 - ab)
        weight = torch.where(snr <= 5.0, torch.ones_like(snr), 5.0 / snr).to(torch.float32)
        labels = torch.where(torch.rand(n) < 0.1, torch.full_like(labels, CLASSES), labels)
        xt = x0 * alpha + eps * sigma
        torch.manual_seed(self.seed * 1_000_003 + s)   # dropout draws depend on (seed, step), as in Java
        mark()
        out = self.model(xt, t.to(torch.float32), labels)
        mark()
        loss = (out - eps).square().reshape(n, -1).mean(1).mul(weight).mean()
        loss.backward()
        finite_loss = math.isfinite(loss.item())
        mark()
        norm = torch.nn.utils.clip_grad_norm_(self.params, 1.0)
        finite = finite_loss and math.isfinite(norm.item())
        mark()
        if finite:
            self.opt.step()
        mark()
        self.opt.zero_grad(set_to_none=False)   # Java zeroes its gradient buffers in place
        mark()
        if finite:
            decay = min(0.9999, (1.0 + s) / (10.0 + s))
            with torch.no_grad():
                for pe, p in zip(self.ema_params, self.params):
                    pe.mul_(decay).add_(p, alpha=1 - decay)
        mark()
        self.step_count += 1


PHASES = ("batch", "forward", "backward", "grad_norm", "adamw", "zero_grad", "ema")


def profile(step, warmup, steps):
    """Median milliseconds per phase of the training step (as io.diffusion4j.bench.StepProfile)."""
    for _ in range(warmup):
        step()
    rows = []
    for _ in range(steps):
        clock = [time.perf_counter()]
        step(clock)
        rows.append([b - a for a, b in zip(clock, clock[1:])] + [clock[-1] - clock[0]])
    return {name + "_ms": round(1000 * statistics.median(r[i] for r in rows), 1)
            for i, name in enumerate(PHASES + ("total",))}


def peak_rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def timed(fn, warmup, steps, budget_s):
    """Median seconds of fn over `steps` runs after `warmup` runs. As the Java side
    (io.diffusion4j.bench.TrainBenchmark.time), phases are cut short on a busy machine: warm-up after
    20 s (at least one run), timing after budget_s (at least three runs). Returns (median, runs)."""
    start = time.perf_counter()
    for i in range(warmup):
        if i > 0 and time.perf_counter() - start >= 20:
            break
        fn()
    times = []
    start = time.perf_counter()
    while len(times) < steps and (len(times) < min(3, steps) or time.perf_counter() - start < budget_s):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), len(times)


def read_safetensors(path):
    """float32 tensors of a safetensors file (8-byte header length, JSON header, raw little-endian data)."""
    with open(path, "rb") as f:
        data = f.read()
    n = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + n])
    out = {}
    for key, meta in header.items():
        if key == "__metadata__":
            continue
        if meta["dtype"] != "F32":
            raise ValueError(f"{path}: tensor {key} is {meta['dtype']}, expected F32")
        begin, end = meta["data_offsets"]
        raw = bytearray(data[8 + n + begin:8 + n + end])
        out[key] = torch.frombuffer(raw, dtype=torch.float32).reshape(meta["shape"])
    return out


def check(directory):
    """Loads Java's weights (same keys) and compares the forward pass with Java's output on Java's inputs."""
    import numpy as np
    net = UNet().eval()
    net.load_state_dict(read_safetensors(os.path.join(directory, "model.safetensors")))   # strict: same keys and shapes
    load = lambda name: torch.from_numpy(np.load(os.path.join(directory, name + ".npy")))
    x, t, labels, expected = load("x"), load("t"), load("labels"), load("out")
    with torch.no_grad():
        out = net(x, t, labels)
    print(json.dumps({"bench": "twin-check", "impl": "torch", "n": x.shape[0],
                      "max_abs_diff": (out - expected).abs().max().item(),
                      "max_abs_output": expected.abs().max().item()}), flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--forward-steps", type=int, default=None, help="timed forward passes (default: --steps)")
    p.add_argument("--count", action="store_true", help="print the parameter count and exit")
    p.add_argument("--bf16", action="store_true", help="convolutions in bfloat16 (as Java's Autocast), the rest float32")
    p.add_argument("--profile", action="store_true", help="time the phases of the training step instead")
    p.add_argument("--check", metavar="DIR", help="compare with Java's forward pass saved in DIR and exit")
    a = p.parse_args()
    if a.count:
        print(sum(q.numel() for q in UNet().parameters()))
        return
    if a.check:
        torch.set_num_threads(a.threads)
        check(a.check)
        return
    if min(a.threads, a.batch, a.steps) < 1 or a.warmup < 0:
        p.error("threads, batch and steps must be >= 1, warmup >= 0")
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    common = {"impl": "torch", "network": "unet-fmnist", "batch": a.batch, "threads": a.threads}
    suffix = "-bf16" if a.bf16 else ""
    global BF16_CONV
    BF16_CONV = a.bf16

    def emit(bench, **kv):
        print(json.dumps({"bench": bench, **common, **kv}), flush=True)

    step = TrainStep(a.batch)
    if a.profile:
        emit("profile", **profile(step, a.warmup, a.steps))
        return
    n_params = sum(q.numel() for q in step.params)
    train_s, runs = timed(step, a.warmup, a.steps, 50)
    emit("train" + suffix, img_per_s=round(a.batch / train_s, 2), step_s=round(train_s, 4), steps=runs,
         parameters=n_params, torch_version=torch.__version__)

    net = step.ema.eval()
    g = torch.Generator().manual_seed(1)
    x = torch.randn((a.batch, 1, 28, 28), generator=g)
    t = torch.randint(0, T, (a.batch,), generator=g).to(torch.float32)
    labels = torch.randint(0, CLASSES + 1, (a.batch,), generator=g)

    def forward():
        with torch.no_grad():
            net(x, t, labels)

    fwd_s, runs = timed(forward, a.warmup, a.forward_steps or a.steps, 15)
    emit("forward" + suffix, img_per_s=round(a.batch / fwd_s, 2), step_s=round(fwd_s, 4), steps=runs)
    emit("memory" + suffix, peak_rss_mb=round(peak_rss_mb(), 1))


if __name__ == "__main__":
    sys.exit(main())
