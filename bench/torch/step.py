"""
Measuring stick, never run by tests or CI: PyTorch's time for the training steps
`bench/step-compare.ts` times in codesign — the seed-000 precoder (direct head: conv 3×3 + BN +
ReLU + dropout, FC1, FC2 with BN + ReLU + dropout, FC3, power normalisation; the sum-rate loss;
Adam) at B = 1000 on 64 × 4 Rayleigh channels, and CRNet (CR 4) at B = 50 on random CSI images
(MSE, Adam; `bench/codec-step.ts` is ours), float32, no fake quantization — on this CPU:

  /usr/bin/python3 bench/torch/step.py [threads]     # Debian's python3-torch (1.13)
"""
import json
import sys
import time

import torch
import torch.nn as nn

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
torch.set_num_threads(threads)
torch.manual_seed(1)
NT, NU, B = 64, 4, 1000


class Precoder(nn.Module):
    def __init__(self, cout, dfcl):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(2, cout, 3, padding=1), nn.BatchNorm2d(cout, eps=1e-3), nn.ReLU(), nn.Dropout(0.05))
        self.fc = nn.Sequential(
            nn.Linear(cout * NT * NU, dfcl), nn.BatchNorm1d(dfcl, eps=1e-3), nn.ReLU(), nn.Dropout(0.05),
            nn.Linear(dfcl, dfcl), nn.BatchNorm1d(dfcl, eps=1e-3), nn.ReLU(), nn.Dropout(0.05),
            nn.Linear(dfcl, 2 * NT * NU))

    def forward(self, x):
        v = self.fc(torch.flatten(self.conv(x), 1))
        return v / torch.sqrt((v * v).sum(1, keepdim=True) + 1e-12)


def sum_rate(x, v, noise=1.0):
    xr, xi = x[:, 0], x[:, 1]                      # [B, NT, NU]: x[n,k] = H[k,n]
    vr, vi = v[:, : NT * NU].view(-1, NT, NU), v[:, NT * NU:].view(-1, NT, NU)
    re = torch.einsum('bnk,bnj->bkj', xr, vr) - torch.einsum('bnk,bnj->bkj', xi, vi)
    im = torch.einsum('bnk,bnj->bkj', xr, vi) + torch.einsum('bnk,bnj->bkj', xi, vr)
    gain = re * re + im * im
    signal = torch.diagonal(gain, dim1=1, dim2=2)
    sinr = signal / (gain.sum(2) - signal + noise)
    return torch.log2(1 + sinr).sum(1)


def time_steps(model, loss_of, x, steps):
    """ms per Adam step after two warm-up steps (as bench/training-step.ts times ours)."""
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)

    def one():
        opt.zero_grad()
        loss_of(model, x).backward()
        opt.step()

    one()
    one()
    t0 = time.perf_counter()
    for _ in range(steps):
        one()
    return (time.perf_counter() - t0) / steps * 1000


def step_ms(cout, dfcl, steps):
    x = torch.randn(B, 2, NT, NU) / 2 ** 0.5
    return time_steps(Precoder(cout, dfcl), lambda m, x: -sum_rate(x, m(x)).mean(), x, steps)


def conv_bn(cin, cout, k, act=True):
    pad = (k[0] // 2, k[1] // 2)
    layers = [nn.Conv2d(cin, cout, k, padding=pad, bias=False), nn.BatchNorm2d(cout, eps=1e-3)]
    return nn.Sequential(*layers, nn.LeakyReLU(0.3)) if act else nn.Sequential(*layers)


class CrBlock(nn.Module):
    def __init__(self):
        super().__init__()
        self.p1 = nn.Sequential(conv_bn(2, 7, (3, 3)), conv_bn(7, 7, (1, 9)), conv_bn(7, 7, (9, 1), False))
        self.p2 = nn.Sequential(conv_bn(2, 7, (1, 5)), conv_bn(7, 7, (5, 1), False))
        self.out = conv_bn(14, 2, (1, 1), False)

    def forward(self, x):
        y = self.out(nn.functional.leaky_relu(torch.cat([self.p1(x), self.p2(x)], 1), 0.3))
        return nn.functional.leaky_relu(x + y, 0.3)


class CrNet(nn.Module):
    """CRNet as nets/csi.ts builds it (CR 4)."""

    def __init__(self, cr=4):
        super().__init__()
        self.a = nn.Sequential(conv_bn(2, 2, (3, 3)), conv_bn(2, 2, (1, 9)), conv_bn(2, 2, (9, 1), False))
        self.b = conv_bn(2, 2, (3, 3), False)
        self.merge = conv_bn(4, 2, (1, 1))
        self.enc = nn.Linear(2048, 2048 // cr)
        self.dec = nn.Linear(2048 // cr, 2048)
        self.head = conv_bn(2, 2, (5, 5))
        self.blocks = nn.Sequential(CrBlock(), CrBlock())

    def forward(self, x):
        y = self.merge(nn.functional.leaky_relu(torch.cat([self.a(x), self.b(x)], 1), 0.3))
        y = self.dec(self.enc(torch.flatten(y, 1))).view(-1, 2, 32, 32)
        return torch.sigmoid(self.blocks(self.head(y)))


def crnet_step_ms(steps):
    return time_steps(CrNet(), lambda m, x: nn.functional.mse_loss(m(x), x), torch.rand(50, 2, 32, 32), steps)


print(json.dumps({"torch": torch.__version__, "threads": threads,
                  "precoder_8x512_ms": step_ms(8, 512, 5), "precoder_64x1024_ms": step_ms(64, 1024, 3), "crnet_cr4_b50_ms": crnet_step_ms(20)}))
