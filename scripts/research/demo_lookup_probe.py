#!/usr/bin/env python3
"""How fast can an LLM of the demo's size learn to answer from a scene given as text?

The demo's stage 2 needs its frozen LLM to read facts out of its context; the tiny LLM the
demo pretrains does not learn that in its time budget (README, "What the demo does").
This is the fast loop for finding out what would make it learn (1-3 minutes a try, PyTorch,
2 threads): random scenes of the shapes world written as text, questions about them, a
Llama of the given shape trained on the answers, accuracy per question kind on held-out
one-question docs.

  --format old     "a photo of a red circle in the top left and a blue square in the bottom right ."
  --format keyed   "top left : red circle ; bottom right : blue square ."
  --one-word-keys  quadrant names as single words ("topleft")

Example (this command, 2026-11-22: after 500 steps of 32 scenes, colour 0.53, shape 0.47,
position 0.29, yes/no 0.45, count 1.0, i.e. barely past chance except count; a variant with
another seed stream reached shape 0.81 but colour and yes/no stayed at chance; lr 1e-2
diverged; the demo's 128-wide 4-layer shape stayed at chance for 1500 steps):
  python scripts/research/demo_lookup_probe.py --format keyed --one-word-keys --hidden 256 --layers 2 --questions 8

Stop 16: these findings were made at transformers' default initializer_range 0.02, the scale
that turned out to keep an LLM this narrow from learning lookups at all; at 0.15 it learns
them (README, "What held the demo back"; scripts/research/demo_slot_text.py).
"""
import argparse
import math
import random
import time

import torch
from transformers import LlamaConfig, LlamaForCausalLM

ap = argparse.ArgumentParser()
ap.add_argument("--format", choices=["old", "keyed"], default="keyed")
ap.add_argument("--one-word-keys", action="store_true")
ap.add_argument("--steps", type=int, default=500)
ap.add_argument("--batch", type=int, default=32)
ap.add_argument("--lr", type=float, default=3e-3)
ap.add_argument("--questions", type=int, default=8, help="questions per training scene")
ap.add_argument("--hidden", type=int, default=128)
ap.add_argument("--layers", type=int, default=4)
args = ap.parse_args()
torch.set_num_threads(2)
torch.manual_seed(0)
random.seed(0)

C = ["red", "green", "blue", "yellow"]
S = ["circle", "square", "triangle"]
Q = ["topleft", "topright", "bottomleft", "bottomright"] if args.one_word_keys else ["top left", "top right", "bottom left", "bottom right"]
words = sorted(set(" ".join(C + S + Q).split()) | set("a photo of in the and , . : ; what color is shape where there yes no how many shapes are 1 2 3 4 ?".split()))
vocab = {w: i + 4 for i, w in enumerate(words)}  # 0 pad, 1 bos, 2 eos, 3 end of answer
KINDS = ["colour", "shape", "position", "exist", "count"]


def enc(s):
    for p in ",.?:;":
        s = s.replace(p, " " + p)
    return [vocab[w] for w in s.split()]


def scene():
    return sorted((q, random.choice(C), random.choice(S)) for q in random.sample(range(4), random.randint(1, 4)))


def text(sc):
    if args.format == "old":
        parts = [f"a {c} {s} in the {Q[q]}" for q, c, s in sc]
        return "a photo of " + (parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]) + " ."
    return " ; ".join(f"{Q[q]} : {c} {s}" for q, c, s in sc) + " ."


def question(sc):
    kind = random.choice(KINDS)
    q, c, s = random.choice(sc)
    if kind == "colour":
        return kind, f"what color is the shape in the {Q[q]} ?", c
    if kind == "shape":
        return kind, f"what shape is in the {Q[q]} ?", s
    if kind == "position":
        unique = [o for o in sc if sum(p[1:] == o[1:] for p in sc) == 1] or sc
        q, c, s = random.choice(unique)
        return kind, f"where is the {c} {s} ?", Q[q]
    if kind == "exist":
        if random.random() < 0.5:
            return kind, f"is there a {c} {s} ?", "yes"
        cc, ss = random.choice([(a, b) for a in C for b in S if all((a, b) != o[1:] for o in sc)])
        return kind, f"is there a {cc} {ss} ?", "no"
    return kind, "how many shapes are there ?", str(len(sc))


def doc(n):
    sc = scene()
    ids = [1] + enc(text(sc))
    labels = [-100] * len(ids)
    for _ in range(n):
        kind, q, a = question(sc)
        p, t = enc(q), enc(a) + [3]
        ids += p + t
        labels += [-100] * len(p) + t
    return kind, ids, labels


def pad(batch):
    n = max(len(x[1]) for x in batch)
    ids = torch.tensor([x[1] + [0] * (n - len(x[1])) for x in batch])
    labels = torch.tensor([x[2] + [-100] * (n - len(x[2])) for x in batch])
    mask = torch.tensor([[1] * len(x[1]) + [0] * (n - len(x[1])) for x in batch])
    return ids, labels, mask


cfg = LlamaConfig(vocab_size=len(vocab) + 4, hidden_size=args.hidden, intermediate_size=args.hidden * 2, num_hidden_layers=args.layers,
                  num_attention_heads=4, num_key_value_heads=2, tie_word_embeddings=True, max_position_embeddings=512)
model = LlamaForCausalLM(cfg)
opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
warm = max(1, args.steps // 20)
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: s / warm if s < warm else 0.5 * (1 + math.cos(math.pi * (s - warm) / (args.steps - warm))))
held = [doc(1) for _ in range(500)]
t0 = time.time()
for step in range(args.steps):
    ids, labels, mask = pad([doc(args.questions) for _ in range(args.batch)])
    loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    sched.step()
    if step % 250 == 0 or step == args.steps - 1:
        with torch.no_grad():
            ids, labels, mask = pad(held)
            pred = model(input_ids=ids, attention_mask=mask).logits[:, :-1].argmax(-1)
            target = labels[:, 1:]
            first = (target != -100).float().argmax(1)  # the answer's first token
            rows = torch.arange(len(held))
            ok = (pred[rows, first] == target[rows, first]).tolist()
        acc = {k: round(sum(o for o, h in zip(ok, held) if h[0] == k) / max(1, sum(h[0] == k for h in held)), 2) for k in KINDS}
        print(f"step {step} loss {loss.item():.3f} held-out accuracy {acc} {time.time() - t0:.0f} s", flush=True)
