#!/usr/bin/python3
"""Train the comb-box classifier on the tensors training/build-dataset.ts wrote, fit its temperature on the
validation split, and export ONNX plus the metadata the reader needs. Reads tensors only: the cell normalisation
lives in src/recognition/cell-image.ts and nowhere else.

usage: /usr/bin/python3 training/train.py --data training/data --seed S [--epochs N] [--threads T]   (one member)
       /usr/bin/python3 training/train.py --data training/data --out models --members S1,S2   (export the ensemble)
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
PIXELS = CELL * CELL
# After the pixels, where the ink lay in its box (cellTensor's CELL_GEOMETRY numbers): a thin 1 in the middle of a
# box and a fragment of the printed line at its edge are the same picture once cropped to the ink.
GEOMETRY = 6
INPUT = PIXELS + GEOMETRY


def load(data, split):
    x = np.fromfile(os.path.join(data, f"{split}.x.u8"), dtype=np.uint8).reshape(-1, INPUT)
    y = np.fromfile(os.path.join(data, f"{split}.y.u8"), dtype=np.uint8).astype(np.int64)
    src = np.fromfile(os.path.join(data, f"{split}.src.u8"), dtype=np.uint8)
    return torch.from_numpy(x), torch.from_numpy(y), src


WIDTHS = (24, 48, 96)
DENSE = 160


class BoxNet(nn.Module):
    """3 conv blocks (24/48/96) over the pixels, their features joined by the geometry numbers into one dense layer
    of 160: about 200k parameters, ~4 M multiply-adds a box. Input: N x INPUT (cellTensor's output as it is)."""

    def __init__(self, classes):
        super().__init__()
        w1, w2, w3 = WIDTHS
        self.c1 = nn.Conv2d(1, w1, 3, padding=1)
        self.b1 = nn.BatchNorm2d(w1)
        self.c2 = nn.Conv2d(w1, w2, 3, padding=1)
        self.b2 = nn.BatchNorm2d(w2)
        self.c3 = nn.Conv2d(w2, w3, 3, padding=1)
        self.b3 = nn.BatchNorm2d(w3)
        self.fc = nn.Linear(w3 * 3 * 3 + GEOMETRY, DENSE)
        self.drop = nn.Dropout(0.3)
        self.out = nn.Linear(DENSE, classes)

    def forward(self, cells):
        x = cells[:, :PIXELS].reshape(-1, 1, CELL, CELL)
        x = F.max_pool2d(F.relu(self.b1(self.c1(x))), 2)  # 14
        x = F.max_pool2d(F.relu(self.b2(self.c2(x))), 2)  # 7
        x = F.max_pool2d(F.relu(self.b3(self.c3(x))), 2)  # 3
        x = self.drop(F.relu(self.fc(torch.cat([x.flatten(1), cells[:, PIXELS:]], 1))))
        return self.out(x)


def augment_batch(cells, gen):
    """On-line augmentation of the normalised tensors, per cell: a small affine (rotation, scale, shear, shift), a
    thicker or thinner stroke (grey dilation / erosion), a little ink dropout; the geometry numbers moved by up to
    3% of the box. Other writers differ from the training ones in exactly these ways, so the model must not lean on
    any one of them."""
    n = cells.shape[0]
    x = cells[:, :PIXELS].reshape(n, 1, CELL, CELL)
    geometry = cells[:, PIXELS:]
    inked = (geometry.sum(1, keepdim=True) > 0).float()  # an empty cell's geometry stays all zeros
    geometry = (geometry + inked * 0.03 * (2 * torch.rand(geometry.shape, generator=gen) - 1)).clamp(0, 1)
    u = lambda lo, hi: lo + (hi - lo) * torch.rand(n, generator=gen)
    rot = u(-0.17, 0.17)  # about +-10 degrees
    scale = u(0.88, 1.12)
    shear = u(-0.25, 0.25)
    tx, ty = u(-0.12, 0.12), u(-0.12, 0.12)
    cos, sin = torch.cos(rot) / scale, torch.sin(rot) / scale
    theta = torch.stack([torch.stack([cos, -sin + shear * cos, tx], 1), torch.stack([sin, cos + shear * sin, ty], 1)], 1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    x = F.grid_sample(x, grid, align_corners=False, padding_mode="zeros")
    pick = torch.rand(n, generator=gen)
    thick = F.max_pool2d(x, 3, stride=1, padding=1)
    thin = 0.5 * (x - F.max_pool2d(-x, 3, stride=1, padding=1))  # half an erosion: thin strokes fade, never vanish
    x = torch.where((pick < 0.15).view(n, 1, 1, 1), thick, torch.where((pick > 0.9).view(n, 1, 1, 1), thin, x))
    drop = (torch.rand(n, generator=gen) < 0.3).view(n, 1, 1, 1)
    keep = (torch.rand(x.shape, generator=gen) > 0.08).float()
    x = torch.where(drop, x * keep, x)
    return torch.cat([x.reshape(n, PIXELS), geometry], 1)


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


class Ensemble(nn.Module):
    """Members averaged in probability (each at its own temperature); out: the log of the mean, as logits. Averaging
    independently trained members makes confidence far more honest on writers none of them saw than any one
    member's softmax (a wrong character needs every member to be sure of it)."""

    def __init__(self, members, temperatures):
        super().__init__()
        self.members = nn.ModuleList(members)
        self.register_buffer("inv_t", torch.tensor([1.0 / t for t in temperatures]).view(-1, 1, 1))

    def forward(self, x):
        probs = torch.stack([F.softmax(m(x) * self.inv_t[i], dim=1) for i, m in enumerate(self.members)])
        return torch.log(probs.mean(0) + 1e-12)


def train_member(args, meta, xt, yt, xv, yv):
    """Train one member (seed args.seed), keep its best epoch by validation loss, fit its temperature, save it."""
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    classes = meta["classes"]
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
            xb = augment_batch(xt[idx].float() / 255.0, gen)
            loss = F.cross_entropy(model(xb), yt[idx], label_smoothing=0.02)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        lv = logits_of(model, xv)
        vloss = F.cross_entropy(lv, yv).item()
        vacc = (lv.argmax(1) == yv).float().mean().item()
        print(f"seed {args.seed} epoch {epoch + 1}: train loss {total / len(yt):.4f}, validation loss {vloss:.4f}, accuracy {vacc * 100:.2f}% ({time.time() - t0:.0f} s)", flush=True)
        if vloss < best[0]:
            best = (vloss, {k: v.clone() for k, v in model.state_dict().items()}, epoch + 1)
    # Early stopping: keep the epoch with the lowest validation loss.
    model.load_state_dict(best[1])
    temperature = fit_temperature(logits_of(model, xv), yv)
    report = {
        "seed": args.seed, "parameters": params, "epochs": args.epochs, "keptEpoch": best[2], "temperature": temperature,
        "trainCells": int(len(yt)), "validationCells": int(len(yv)), "threads": args.threads,
        "wallSeconds": round(time.time() - t0, 1), "cpuSeconds": round(time.process_time() - cpu0, 1),
    }
    print(json.dumps(report), flush=True)
    torch.save({"state": model.state_dict(), "temperature": temperature, "report": report}, os.path.join(args.data, f"member-{args.seed}.pt"))


def export(args, meta, xv, yv):
    """Join the members into one ONNX graph, fit the ensemble's own temperature on validation, write the files."""
    classes = meta["classes"]
    saved = [torch.load(os.path.join(args.data, f"member-{s}.pt")) for s in args.members.split(",")]
    members = []
    for sv in saved:
        m = BoxNet(len(classes))
        m.load_state_dict(sv["state"])
        m.eval()
        members.append(m)
    model = Ensemble(members, [sv["temperature"] for sv in saved])
    model.eval()
    lv = logits_of(model, xv)
    temperature = fit_temperature(lv, yv)
    vacc = (lv.argmax(1) == yv).float().mean().item()
    params = sum(p.numel() for p in model.parameters())
    print(f"ensemble of {len(members)}: validation accuracy {vacc * 100:.2f}%, temperature {temperature:.3f}, {params} parameters", flush=True)
    os.makedirs(args.out, exist_ok=True)
    onnx_path = os.path.join(args.out, "icr-boxes.onnx")
    torch.onnx.export(
        model, torch.zeros(1, INPUT), onnx_path, input_names=["cells"], output_names=["logits"],
        dynamic_axes={"cells": {0: "n"}, "logits": {0: "n"}}, opset_version=13, do_constant_folding=True,
    )
    model_meta = {
        "name": args.name, "classes": classes, "temperature": round(temperature, 4), "cellSize": CELL, "inputLength": INPUT,
        "input": "cells", "output": "logits",
    }
    with open(os.path.join(args.out, "icr-boxes.json"), "w") as f:
        json.dump(model_meta, f, indent=2)
        f.write("\n")
    rs = [sv["report"] for sv in saved]
    report = {
        "parameters": params, "members": len(members), "seeds": [r["seed"] for r in rs], "epochs": rs[0]["epochs"],
        "keptEpoch": [r["keptEpoch"] for r in rs], "temperature": temperature, "validationAccuracy": vacc,
        "trainCells": rs[0]["trainCells"], "validationCells": rs[0]["validationCells"], "threads": rs[0]["threads"],
        "wallSeconds": round(sum(r["wallSeconds"] for r in rs), 1), "cpuSeconds": round(sum(r["cpuSeconds"] for r in rs), 1),
    }
    with open(os.path.join(args.data, "train-report.json"), "w") as f:
        json.dump(report, f, indent=2)
    print(json.dumps(report), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="training/data")
    ap.add_argument("--out", default="models")
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--seed", type=int, default=11, help="train one member with this seed (saved as <data>/member-<seed>.pt)")
    ap.add_argument("--members", help="export: the members' seeds, comma-separated, joined into one ONNX model")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--name", default="icr-boxes-6")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    meta = json.load(open(os.path.join(args.data, "dataset.json")))
    if meta.get("inputLength") != INPUT:
        raise SystemExit(f"{args.data}/dataset.json: cells of {meta.get('inputLength')} numbers, this network reads {INPUT}: rebuild the data set")
    xv, yv, _ = load(args.data, "validation")
    if args.members:
        export(args, meta, xv, yv)
        return
    xt, yt, _ = load(args.data, "train")
    print(f"train {len(yt)}, validation {len(yv)}, {len(meta['classes'])} classes", flush=True)
    train_member(args, meta, xt, yt, xv, yv)


if __name__ == "__main__":
    main()
