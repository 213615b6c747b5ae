"""Exports torchvision's ResNet-18 and MobileNetV2 (untrained: weights=None, nothing downloads) to ONNX
for the engine/closed-form reconciliation (docs/engine.md) and the mixed-precision search.
A measuring stick, never a dependency of the tool or its tests: Debian's python3-torch and
python3-torchvision (/usr/bin/python3: a pyenv python does not see them).   /usr/bin/python3 bench/onnx/export_torchvision.py out/onnx"""
import os
import sys

import torch
import torchvision

out = sys.argv[1] if len(sys.argv) > 1 else "out/onnx"
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)
for name, build in [("resnet18", torchvision.models.resnet18), ("mobilenet_v2", torchvision.models.mobilenet_v2)]:
    model = build(weights=None).eval()
    path = os.path.join(out, f"{name}.onnx")
    torch.onnx.export(model, torch.zeros(1, 3, 224, 224), path, opset_version=13, input_names=["input"], output_names=["logits"])
    print(path, os.path.getsize(path))
