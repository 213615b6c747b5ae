"""A small classification network and its data for `search --model --data` tests: 4 classes of
8 × 8 single-channel images (a bright bar at one of four orientations, with noise), a 5-layer
CNN trained in PyTorch to high accuracy, exported to ONNX (opset 13) with 300 held-out samples
as .npz (inputs float32 [N, 1, 8, 8], labels int64 [N]). Seeded; a measuring stick, never run
by the tests.   /usr/bin/python3 bench/onnx/make_classifier.py test/fixtures/onnx"""
import os
import sys

import numpy as np
import torch
import torch.nn as nn

out = sys.argv[1] if len(sys.argv) > 1 else "test/fixtures/onnx"
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(7)
torch.manual_seed(7)


def samples(n):
    x = rng.normal(0, 1.0, size=(n, 1, 8, 8)).astype(np.float32)
    y = rng.integers(0, 4, size=n)
    for i, c in enumerate(y):
        k = rng.integers(1, 7)
        if c == 0:
            x[i, 0, k, :] += 1.4
        elif c == 1:
            x[i, 0, :, k] += 1.4
        elif c == 2:
            x[i, 0, np.arange(8), np.arange(8)] += 1.4
        else:
            x[i, 0, np.arange(8), 7 - np.arange(8)] += 1.4
    return x, y.astype(np.int64)


train_x, train_y = samples(4000)
test_x, test_y = samples(300)
model = nn.Sequential(
    nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(),
    nn.Conv2d(8, 16, 3, padding=1, stride=2), nn.ReLU(),
    nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(),
    nn.Flatten(),
    nn.Linear(16 * 4 * 4, 32), nn.ReLU(),
    nn.Linear(32, 4),
)
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
xs, ys = torch.from_numpy(train_x), torch.from_numpy(train_y)
for epoch in range(15):
    perm = torch.randperm(len(xs))
    for i in range(0, len(xs), 100):
        idx = perm[i:i + 100]
        loss = nn.functional.cross_entropy(model(xs[idx]), ys[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
model.eval()
with torch.no_grad():
    acc = (model(torch.from_numpy(test_x)).argmax(1).numpy() == test_y).mean()
print("held-out accuracy", acc)
torch.onnx.export(model, torch.zeros(1, 1, 8, 8), os.path.join(out, "classifier.onnx"), opset_version=13, input_names=["x"], output_names=["logits"], dynamic_axes={"x": {0: "N"}, "logits": {0: "N"}})
np.savez(os.path.join(out, "classifier-data.npz"), inputs=test_x, labels=test_y)
