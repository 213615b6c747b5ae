"""
Measuring stick, never run by tests or CI: writes ONNX files with PyTorch's own exporter
(torch.onnx.export; Debian's python3-torch 1.13 here: /usr/bin/python3) into
test/fixtures/onnx/, with a JSON sidecar of PyTorch's own counts — parameters (sum of
p.numel()) and MACs (forward hooks: conv = outputs × C_in/groups × k_h × k_w, linear = in × out).

  /usr/bin/python3 bench/onnx/make_torch_fixtures.py test/fixtures/onnx
"""
import json
import sys

import torch
import torch.nn as nn

torch.manual_seed(0)
out_dir = sys.argv[1]


class SmallCnn(nn.Module):
    """Conv-BN-ReLU, max pool, a strided grouped conv, a dilated conv, global average pool, two linears."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(2, 16, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(16)
        self.pool = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(16, 32, 3, stride=2, padding=1, groups=4, bias=False)
        self.conv3 = nn.Conv2d(32, 32, 3, padding=2, dilation=2)
        self.act = nn.LeakyReLU(0.3)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Linear(32, 24)
        self.drop = nn.Dropout(0.2)
        self.fc2 = nn.Linear(24, 10)

    def forward(self, x):
        x = self.pool(torch.relu(self.bn1(self.conv1(x))))
        x = self.act(self.conv2(x))
        x = torch.tanh(self.conv3(x)) + x
        x = torch.flatten(self.gap(x), 1)
        return torch.sigmoid(self.fc2(self.drop(torch.relu(self.fc1(x)))))


def exported_parameters(model):
    """Parameters as the exporter writes them: in eval mode it folds bn1 into conv1 (32 fewer)."""
    import copy
    fused = torch.ao.quantization.fuse_modules(copy.deepcopy(model).eval(), [["conv1", "bn1"]])
    return sum(p.numel() for p in fused.parameters())


def counts(model, shape):
    macs = 0

    def hook(m, inputs, output):
        nonlocal macs
        if isinstance(m, nn.Conv2d):
            macs += output.numel() // output.shape[0] * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]
        elif isinstance(m, nn.Linear):
            macs += m.in_features * m.out_features

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    model(torch.zeros(1, *shape))
    for h in handles:
        h.remove()
    return {"macs": macs, "parameters": sum(p.numel() for p in model.parameters()), "parameters_exported": exported_parameters(model)}


shape = (2, 32, 32)
sidecar = {"torch": torch.__version__, "input": list(shape), "models": {}}
for opset in (13, 17):
    model = SmallCnn().eval()
    name = f"torch-cnn-opset{opset}.onnx"
    torch.onnx.export(model, torch.zeros(1, *shape), f"{out_dir}/{name}", opset_version=opset,
                      input_names=["x"], output_names=["y"], dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}})
    # In eval mode the exporter folds bn1 into conv1: the file holds the fused model's parameters.
    c = counts(model, shape)
    sidecar["models"][name] = {**c, "parameters_in_file": c["parameters_exported"], "bits": None}

# Quantization-aware: fake-quantized weights (int8, per channel) and activations (uint8) export as QDQ pairs.
from torch.ao.quantization import FakeQuantize, MovingAverageMinMaxObserver, MovingAveragePerChannelMinMaxObserver, QConfig

qat = SmallCnn()
# Plain FakeQuantize modules (the default QAT config fuses observer and quantizer into an op ONNX lacks).
qat.qconfig = QConfig(
    activation=FakeQuantize.with_args(observer=MovingAverageMinMaxObserver, quant_min=0, quant_max=255, dtype=torch.quint8),
    weight=FakeQuantize.with_args(observer=MovingAveragePerChannelMinMaxObserver, quant_min=-128, quant_max=127, dtype=torch.qint8, qscheme=torch.per_channel_symmetric),
)
qat = torch.ao.quantization.prepare_qat(qat.train())
qat(torch.randn(4, *shape))
qat.eval()
qat.apply(torch.ao.quantization.disable_observer)
name = "torch-cnn-qdq-opset13.onnx"
torch.onnx.export(qat, torch.zeros(1, *shape), f"{out_dir}/{name}", opset_version=13,
                  input_names=["x"], output_names=["y"], dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}})
# The fake quantizer between conv1 and bn1's output keeps the exporter from folding: all parameters stay.
c = counts(SmallCnn(), shape)
sidecar["models"][name] = {**c, "parameters_in_file": c["parameters"], "bits": {"weights": 8, "activations": 8}}

with open(f"{out_dir}/torch-fixtures.json", "w") as f:
    json.dump(sidecar, f, indent=1)
print(json.dumps(sidecar))
