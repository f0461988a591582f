#!/usr/bin/python3
"""Train the comb-box classifier on the tensors training/build-dataset.ts wrote, fit its temperature on the
validation split, and export ONNX plus the metadata the reader needs. Reads tensors only: the cell normalisation
lives in src/recognition/cell-image.ts and nowhere else.

usage: /usr/bin/python3 training/train.py --data training/data --out models [--epochs N] [--seed S]
"""
import argparse
import json
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

CELL = 28


def load(data, split):
    x = np.fromfile(os.path.join(data, f"{split}.x.u8"), dtype=np.uint8).reshape(-1, 1, CELL, CELL)
    y = np.fromfile(os.path.join(data, f"{split}.y.u8"), dtype=np.uint8).astype(np.int64)
    src = np.fromfile(os.path.join(data, f"{split}.src.u8"), dtype=np.uint8)
    return torch.from_numpy(x), torch.from_numpy(y), src


class BoxNet(nn.Module):
    """3 conv blocks (16/32/64) and one dense layer of 128: about 110k parameters."""

    def __init__(self, classes):
        super().__init__()
        self.c1 = nn.Conv2d(1, 16, 3, padding=1)
        self.b1 = nn.BatchNorm2d(16)
        self.c2 = nn.Conv2d(16, 32, 3, padding=1)
        self.b2 = nn.BatchNorm2d(32)
        self.c3 = nn.Conv2d(32, 64, 3, padding=1)
        self.b3 = nn.BatchNorm2d(64)
        self.fc = nn.Linear(64 * 3 * 3, 128)
        self.drop = nn.Dropout(0.3)
        self.out = nn.Linear(128, classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.b1(self.c1(x))), 2)  # 14
        x = F.max_pool2d(F.relu(self.b2(self.c2(x))), 2)  # 7
        x = F.max_pool2d(F.relu(self.b3(self.c3(x))), 2)  # 3
        x = self.drop(F.relu(self.fc(x.flatten(1))))
        return self.out(x)


def shift_batch(x, gen):
    """Light on-line augmentation of the normalised tensors: a pixel or two of shift, a little ink dropout."""
    dx, dy = torch.randint(-2, 3, (2,), generator=gen).tolist()
    x = torch.roll(x, shifts=(dy, dx), dims=(2, 3))
    if torch.rand(1, generator=gen).item() < 0.3:
        keep = (torch.rand(x.shape, generator=gen) > 0.08).float()
        x = x * keep
    return x


def logits_of(model, x, bs=2048):
    model.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(x), bs):
            out.append(model(x[i:i + bs].float() / 255.0))
    return torch.cat(out)


def fit_temperature(logits, y):
    """One scalar T minimising validation NLL (LBFGS on log T)."""
    log_t = torch.zeros(1, requires_grad=True)
    opt = torch.optim.LBFGS([log_t], lr=0.1, max_iter=200)

    def closure():
        opt.zero_grad()
        loss = F.cross_entropy(logits / log_t.exp(), y)
        loss.backward()
        return loss

    opt.step(closure)
    return float(log_t.exp().item())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="training/data")
    ap.add_argument("--out", default="models")
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--name", default="icr-boxes-1")
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.set_num_threads(args.threads)
    gen = torch.Generator().manual_seed(args.seed)
    meta = json.load(open(os.path.join(args.data, "dataset.json")))
    classes = meta["classes"]
    xt, yt, _ = load(args.data, "train")
    xv, yv, _ = load(args.data, "validation")
    print(f"train {len(yt)}, validation {len(yv)}, {len(classes)} classes", flush=True)

    model = BoxNet(len(classes))
    params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    steps_per_epoch = (len(yt) + 255) // 256
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=args.epochs * steps_per_epoch)
    best = (1e9, None, -1)
    t0 = time.time()
    cpu0 = time.process_time()
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(len(yt), generator=gen)
        total = 0.0
        for i in range(0, len(yt), 256):
            idx = perm[i:i + 256]
            xb = shift_batch(xt[idx].float() / 255.0, gen)
            loss = F.cross_entropy(model(xb), yt[idx], label_smoothing=0.02)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        lv = logits_of(model, xv)
        vloss = F.cross_entropy(lv, yv).item()
        vacc = (lv.argmax(1) == yv).float().mean().item()
        print(f"epoch {epoch + 1}: train loss {total / len(yt):.4f}, validation loss {vloss:.4f}, accuracy {vacc * 100:.2f}% ({time.time() - t0:.0f} s)", flush=True)
        if vloss < best[0]:
            best = (vloss, {k: v.clone() for k, v in model.state_dict().items()}, epoch + 1)
    # Early stopping: keep the epoch with the lowest validation loss.
    model.load_state_dict(best[1])
    temperature = fit_temperature(logits_of(model, xv), yv)
    print(f"kept epoch {best[2]}; temperature {temperature:.3f}; {params} parameters", flush=True)

    os.makedirs(args.out, exist_ok=True)
    model.eval()
    onnx_path = os.path.join(args.out, "icr-boxes.onnx")
    torch.onnx.export(
        model, torch.zeros(1, 1, CELL, CELL), onnx_path, input_names=["cells"], output_names=["logits"],
        dynamic_axes={"cells": {0: "n"}, "logits": {0: "n"}}, opset_version=13, do_constant_folding=True,
    )
    model_meta = {
        "name": args.name, "classes": classes, "temperature": round(temperature, 4), "cellSize": CELL,
        "input": "cells", "output": "logits",
    }
    with open(os.path.join(args.out, "icr-boxes.json"), "w") as f:
        json.dump(model_meta, f, indent=2)
        f.write("\n")
    report = {
        "parameters": params, "epochs": args.epochs, "keptEpoch": best[2], "temperature": temperature,
        "trainCells": int(len(yt)), "validationCells": int(len(yv)), "seed": args.seed,
        "wallSeconds": round(time.time() - t0, 1), "cpuSeconds": round(time.process_time() - cpu0, 1),
        "threads": args.threads,
    }
    with open(os.path.join(args.data, "train-report.json"), "w") as f:
        json.dump(report, f, indent=2)
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
