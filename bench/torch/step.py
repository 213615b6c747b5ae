"""
Measuring stick, never run by tests or CI: PyTorch's time for the training steps
`bench/step-compare.ts` times in codesign — the seed-000 precoder (direct head: conv 3×3 + BN +
ReLU + dropout, FC1, FC2 with BN + ReLU + dropout, FC3, power normalisation; the sum-rate loss;
Adam) at B = 1000 on 64 × 4 Rayleigh channels, float32, no fake quantization — on this CPU:

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


def step_ms(cout, dfcl, steps):
    model = Precoder(cout, dfcl)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    x = torch.randn(B, 2, NT, NU) / 2 ** 0.5

    def one():
        opt.zero_grad()
        loss = -sum_rate(x, model(x)).mean()
        loss.backward()
        opt.step()

    one()
    t0 = time.perf_counter()
    for _ in range(steps):
        one()
    return (time.perf_counter() - t0) / steps * 1000


print(json.dumps({"torch": torch.__version__, "threads": threads,
                  "precoder_8x512_ms": step_ms(8, 512, 5), "precoder_64x1024_ms": step_ms(64, 1024, 3)}))
