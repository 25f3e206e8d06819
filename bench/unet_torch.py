"""PyTorch twin of Diffusion4J's default Fashion-MNIST U-Net (io.diffusion4j.nn.UNet, UNetConfig.FASHION_MNIST).

So far only the parameter layout: it builds the same modules and prints the parameter count
(1,624,577 for the default; the other two numbers are variants without qkv bias and without the
null-label row). Run with Debian's torch: /usr/bin/python3 bench/unet_torch.py
The forward pass and the training-throughput benchmark against the Java trainer are still to come.
"""
import torch, torch.nn as nn
C=32; mult=(1,2,2); nb=2; T=4*C; G=8
class Res(nn.Module):
    def __init__(s, i, o):
        super().__init__()
        s.n1=nn.GroupNorm(G,i); s.c1=nn.Conv2d(i,o,3,padding=1); s.t=nn.Linear(T,o)
        s.n2=nn.GroupNorm(G,o); s.c2=nn.Conv2d(o,o,3,padding=1)
        s.skip=nn.Conv2d(i,o,1) if i!=o else nn.Identity()
class Attn(nn.Module):
    def __init__(s,c, qkvbias=True):
        super().__init__(); s.n=nn.GroupNorm(G,c); s.qkv=nn.Conv2d(c,3*c,1,bias=qkvbias); s.o=nn.Conv2d(c,c,1)
def build(qkvbias=True, attn_levels=(2,), mid=True, emb_classes=11):
    m=nn.ModuleList()
    m.append(nn.Linear(C,T)); m.append(nn.Linear(T,T)); m.append(nn.Embedding(emb_classes,T))
    m.append(nn.Conv2d(1,C,3,padding=1))
    chans=[C]; ch=C
    for l,mu in enumerate(mult):
        for _ in range(nb):
            m.append(Res(ch,C*mu)); ch=C*mu; chans.append(ch)
            if l in attn_levels: m.append(Attn(ch,qkvbias))
        if l!=len(mult)-1:
            m.append(nn.Conv2d(ch,ch,3,stride=2,padding=1)); chans.append(ch)
    if mid: m.append(Res(ch,ch)); m.append(Attn(ch,qkvbias)); m.append(Res(ch,ch))
    for l,mu in reversed(list(enumerate(mult))):
        for _ in range(nb+1):
            m.append(Res(ch+chans.pop(),C*mu)); ch=C*mu
            if l in attn_levels: m.append(Attn(ch,qkvbias))
        if l!=0: m.append(nn.Conv2d(ch,ch,3,padding=1))
    m.append(nn.GroupNorm(G,ch)); m.append(nn.Conv2d(ch,1,3,padding=1))
    return sum(p.numel() for p in m.parameters())
print(build(), build(qkvbias=False), build(emb_classes=10))
