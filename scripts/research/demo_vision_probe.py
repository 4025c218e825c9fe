#!/usr/bin/env python3
"""Can the demo's vision tower tell colour and shape apart at each quadrant, and does a
patch token say which quadrant it is?

A linear probe on the four patch tokens of the demo's CLIP tower (patches of 32 pixels: one
token per quadrant), for each hidden state from the patch embeddings to the last layer:
logistic regression (standardised features) from the token to the colour and to the shape of
the object in that quadrant (or "none"), and to the quadrant itself, fitted on the first 3/4
of the images and scored on the rest. If the probe is near 1.0 at `select_layer`, whatever
stage 2 fails to answer is lost on the LLM's side, not the tower's.

Finding (2026-11-22, stop 15, the tower of `vlmtune demo --out /tmp/s14/final`): colour and
shape 1.000 at every layer (0-4), 2000 images x 4 quadrants. Stop 17 (the tower of stop 16's
seed 0 demo, 1000 images): colour and shape 1.000 at every layer, but the quadrant only 0.69 at
the embeddings and 0.33 at the selected layer (-2; chance 0.25): the tokens do not say where
they are. With each quadrant's background drawn in its own shade (a local experiment, not
shipped: README), 0.998 at that layer.

Usage (transformers, torch, pillow, scikit-learn):
  python scripts/research/demo_vision_probe.py Checkpoints/demo [--images 2000]
"""
import argparse
import json

import numpy as np
import torch
from PIL import Image
from sklearn.linear_model import LogisticRegression
from transformers import CLIPVisionModel

from demo_captions import QUADRANTS, objects_in  # this folder is on sys.path when run as a script

ap = argparse.ArgumentParser()
ap.add_argument("demo", help="the demo's output folder (models/vision, data/captions.json)")
ap.add_argument("--images", type=int, default=2000)
args = ap.parse_args()

model = CLIPVisionModel.from_pretrained(f"{args.demo}/models/vision").eval()
captions = json.load(open(f"{args.demo}/data/captions.json"))[: args.images]
# The PNGs normalised as the demo's shards store them: 64x64, square (no padding), CLIP mean/std.
mean = np.array([0.48145466, 0.4578275, 0.40821073])
std = np.array([0.26862954, 0.26130258, 0.27577711])

features = {}
colours, shapes, quadrants = [], [], []
for item in captions:
    pixels = (np.asarray(Image.open(f"{args.demo}/data/images/{item['image']}").convert("RGB")) / 255.0 - mean) / std
    x = torch.tensor(pixels.transpose(2, 0, 1)[None], dtype=torch.float32)
    with torch.no_grad():
        hidden = model(pixel_values=x, output_hidden_states=True).hidden_states
    objects = {q: (c, s) for c, s, q in objects_in(item["conversations"][1]["value"])}
    for index, quadrant in enumerate(QUADRANTS):
        for layer, h in enumerate(hidden):
            features.setdefault(layer, []).append(h[0, 1 + index].numpy())  # token 0 is the class token
        colour, shape = objects.get(quadrant, ("none", "none"))
        colours.append(colour)
        shapes.append(shape)
        quadrants.append(quadrant)

n = len(colours)
train, test = slice(0, n * 3 // 4), slice(n * 3 // 4, n)
for layer in sorted(features):
    a = np.array(features[layer])
    a = (a - a[train].mean(0)) / (a[train].std(0) + 1e-6)
    scores = []
    for name, labels in [("colour", np.array(colours)), ("shape", np.array(shapes)), ("quadrant", np.array(quadrants))]:
        probe = LogisticRegression(max_iter=3000, C=100).fit(a[train], labels[train])
        scores.append(f"{name} {probe.score(a[test], labels[test]):.3f}")
    print(f"hidden state {layer}: " + ", ".join(scores))
