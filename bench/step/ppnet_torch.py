"""A PyTorch PPNet equivalent to Go's nn.PPNet, written for this project from the
description in docs/urpc-method.md section 2 (no SSL4MIS code). Module and attribute
names are chosen so that state_dict names equal those of SSL4MIS's unet_3D_dv_semi:
conv1..conv4 and center (encoder blocks), up_concat4..up_concat1 (decoder blocks, 4 the
coarsest), dsv1 (plain 1x1x1 conv on the finest decoder output) and dsv2..dsv4
(1x1x1 conv + trilinear upsampling). dsv5 (a head on the bottleneck) is this project's
extension for S = 5.

Usage as a script: /usr/bin/python3 ppnet_torch.py [--base 16 --in 1 --classes 3
--heads 4 --norm instance|batch] prints the parameter count and writes, with --dump
FILE, one line "name shape" per state_dict entry.
"""
import argparse

import torch
import torch.nn as tnn
import torch.nn.functional as F

REFERENCE_DROPOUT = (0.1, 0.2, 0.3, 0.5)  # decoder level 0 (finest) .. 3 (coarsest)
PAPER_DROPOUT, PAPER_NOISE = 0.5, 0.3


class ConvNormReLU(tnn.Sequential):
    """Conv3d 3x3x3 pad 1 with bias -> norm -> ReLU; children named 0, 1, 2."""

    def __init__(self, cin, cout, norm):
        layer_norm = tnn.InstanceNorm3d(cout) if norm == "instance" else tnn.BatchNorm3d(cout)
        super().__init__(tnn.Conv3d(cin, cout, 3, 1, 1), layer_norm, tnn.ReLU())


class Block(tnn.Module):
    """Two ConvNormReLU stages named conv1 and conv2 (UnetConv3)."""

    def __init__(self, cin, cout, norm):
        super().__init__()
        self.conv1 = ConvNormReLU(cin, cout, norm)
        self.conv2 = ConvNormReLU(cout, cout, norm)

    def forward(self, x):
        return self.conv2(self.conv1(x))


class UpBlock(tnn.Module):
    """Trilinear x2 upsampling of the coarse input, concat [skip, up], Block (UnetUp3_CT)."""

    def __init__(self, cin_coarse, cout, norm):
        super().__init__()
        self.conv = Block(cin_coarse + cout, cout, norm)

    def forward(self, skip, coarse):
        up = F.interpolate(coarse, scale_factor=2, mode="trilinear", align_corners=False)
        return self.conv(torch.cat([skip, up], 1))


class Head(tnn.Module):
    """1x1x1 conv whose logits are upsampled by `scale` (UnetDsv3: child dsv.0)."""

    def __init__(self, cin, classes, scale):
        super().__init__()
        self.dsv = tnn.Sequential(tnn.Conv3d(cin, classes, 1))
        self.scale = scale

    def forward(self, x):
        return F.interpolate(self.dsv(x), scale_factor=self.scale, mode="trilinear",
                             align_corners=False)


class PPNet(tnn.Module):
    def __init__(self, in_channels=1, classes=3, base=16, heads=4, norm="instance",
                 perturb="reference"):
        super().__init__()
        ch = [base * f for f in (1, 2, 4, 8, 16)]
        self.heads, self.perturb = heads, perturb
        self.conv1 = Block(in_channels, ch[0], norm)
        self.conv2 = Block(ch[0], ch[1], norm)
        self.conv3 = Block(ch[1], ch[2], norm)
        self.conv4 = Block(ch[2], ch[3], norm)
        self.center = Block(ch[3], ch[4], norm)
        self.up_concat4 = UpBlock(ch[4], ch[3], norm)
        self.up_concat3 = UpBlock(ch[3], ch[2], norm)
        self.up_concat2 = UpBlock(ch[2], ch[1], norm)
        self.up_concat1 = UpBlock(ch[1], ch[0], norm)
        for s in range(heads, 1, -1):  # coarse to fine, as in the reference's order
            setattr(self, "dsv%d" % s, Head(ch[s - 1], classes, 2 ** (s - 1)))
        self.dsv1 = tnn.Conv3d(ch[0], classes, 1)
        self.reset_parameters()

    def reset_parameters(self):
        """Kaiming normal (fan_in, a=0) on conv weights; biases keep PyTorch's default
        U(+-1/sqrt(fan_in)); BatchNorm weight N(1, 0.02), bias 0."""
        for m in self.modules():
            if isinstance(m, tnn.Conv3d):
                tnn.init.kaiming_normal_(m.weight, a=0, mode="fan_in")
            elif isinstance(m, tnn.BatchNorm3d):
                tnn.init.normal_(m.weight, 1.0, 0.02)
                tnn.init.zeros_(m.bias)

    def perturb_head(self, x):
        if self.training and self.perturb == "paper":
            x = F.dropout(x, PAPER_DROPOUT, True)
            noise = torch.empty(x.shape[1:], dtype=x.dtype).uniform_(-PAPER_NOISE, PAPER_NOISE)
            x = x + x * noise.unsqueeze(0)
        return x

    def perturb_decoder(self, x, level):
        if self.training and self.perturb == "reference":
            x = F.dropout3d(x, REFERENCE_DROPOUT[level], True)
        return x

    def forward(self, x):
        skips = []
        h = x
        for level, block in enumerate([self.conv1, self.conv2, self.conv3, self.conv4,
                                       self.center]):
            if level > 0:
                h = F.max_pool3d(h, 2)
            h = block(h)
            skips.append(h)
        decoded = [None] * 5
        decoded[4] = h
        ups = [self.up_concat1, self.up_concat2, self.up_concat3, self.up_concat4]
        for level in range(3, -1, -1):
            h = self.perturb_decoder(ups[level](skips[level], h), level)
            decoded[level] = h
        outs = [self.dsv1(self.perturb_head(decoded[0]))]
        for s in range(2, self.heads + 1):
            outs.append(getattr(self, "dsv%d" % s)(self.perturb_head(decoded[s - 1])))
        return outs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", type=int, default=16)
    ap.add_argument("--in", dest="inc", type=int, default=1)
    ap.add_argument("--classes", type=int, default=3)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--norm", default="instance")
    ap.add_argument("--dump")
    a = ap.parse_args()
    model = PPNet(a.inc, a.classes, a.base, a.heads, a.norm)
    count = sum(p.numel() for p in model.parameters())
    print("parameters", count)
    if a.dump:
        with open(a.dump, "w") as f:
            f.write("# state_dict of bench/step/ppnet_torch.py --base %d --in %d --classes %d "
                    "--heads %d --norm %s; %d parameters\n"
                    % (a.base, a.inc, a.classes, a.heads, a.norm, count))
            for name, t in model.state_dict().items():
                f.write("%s %s\n" % (name, ",".join(str(s) for s in t.shape) or "scalar"))


if __name__ == "__main__":
    main()
