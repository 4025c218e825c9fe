#!/usr/bin/env python3
"""Does the demo's LLM learn to read its context, in vlmtune and in PyTorch alike?

Takes a text shard folder made with `vlmtune data convert --template vicuna_v1` from the
shapes world's text with the caption in the user turn, where some samples (ids `textcap-*`)
ask to repeat that caption: the simplest in-context task there is (copy what is in front of
you). Scores, teacher-forced, the accuracy of the answer tokens of 200 copy samples and 400
question samples for (1) a checkpoint vlmtune trained on that folder and (2) the same
architecture trained here in transformers + torch.optim with the same recipe (AdamW
lr 3e-3, weight decay 0.01, cosine with 5% warm-up, clip 1.0, batch 32, loss on the labels).

Finding (2026-11-22, stop 15; 24040 samples: 3000 copy samples, the rest one question each,
`vlmtune train Recipes/demo/lm-pretrain.yaml data.train=... data.loss_on=labels
train.epochs=2 train.global_batch=32 train.micro_batch=32`, 1504 steps, 207 s):
  vlmtune  copy 0.854, questions 0.808
  PyTorch  copy 0.830 / 0.844 / 0.854 at steps 250 / 750 / 1503, questions 0.803 (338 s)
Both learn the wording and none of the content: the answers' colours and shapes stay at
chance (`vlmtune eval` on the text sets of `demo_text_eval_sets.py`: colour 0.24, shape
0.34, existence 0.50). An LLM this small does not learn to look things up in its context
within the demo's budget, with either toolkit.

Usage (transformers, torch, h5py, hdf5plugin):
  python scripts/research/demo_copy_probe.py SHARDS CHECKPOINT/model [--steps 1504]

Stop 16: these findings were made at transformers' default initializer_range 0.02, the scale
that turned out to keep an LLM this narrow from learning lookups at all; at 0.15 it learns
them (README, "What held the demo back"; scripts/research/demo_slot_text.py).
"""
import argparse
import math
import random
import time
from pathlib import Path

import h5py
import hdf5plugin  # noqa: F401  (registers the zstd filter the shards use)
import torch
from transformers import LlamaConfig, LlamaForCausalLM

ap = argparse.ArgumentParser()
ap.add_argument("shards")
ap.add_argument("checkpoint", help="a vlmtune lm-pretrain checkpoint's model/ folder (HF format)")
ap.add_argument("--steps", type=int, default=1504)
ap.add_argument("--batch", type=int, default=32)
ap.add_argument("--lr", type=float, default=3e-3)
args = ap.parse_args()
torch.manual_seed(0)
random.seed(0)
torch.set_num_threads(2)

docs = []  # (is_copy, input_ids, labels)
for path in sorted(Path(args.shards).glob("shard-*.h5")):
    f = h5py.File(path)
    ids, labels, offsets = f["tokens/input_ids"][:], f["tokens/labels"][:], f["tokens/offsets"][:]
    names = [x.decode() if isinstance(x, bytes) else str(x) for x in f["samples/id"][:]]
    for i, name in enumerate(names):
        docs.append((name.startswith("textcap"), ids[offsets[i]:offsets[i + 1]].tolist(), labels[offsets[i]:offsets[i + 1]].tolist()))
config = LlamaConfig.from_pretrained(args.checkpoint)
pad_id = config.pad_token_id


def batchify(batch):
    n = max(len(d[1]) for d in batch)
    ids = torch.tensor([d[1] + [pad_id] * (n - len(d[1])) for d in batch])
    labels = torch.tensor([d[2] + [-100] * (n - len(d[2])) for d in batch])
    mask = torch.tensor([[1] * len(d[1]) + [0] * (n - len(d[1])) for d in batch])
    return ids, labels, mask


copies = [d for d in docs if d[0]][:200]
questions = [d for d in docs if not d[0]][:400]


def accuracy(model, samples):
    model.eval()
    right = total = 0
    with torch.no_grad():
        for i in range(0, len(samples), 50):
            ids, labels, mask = batchify(samples[i:i + 50])
            predicted = model(input_ids=ids, attention_mask=mask).logits[:, :-1].argmax(-1)
            target = labels[:, 1:]
            scored = target != -100
            right += (predicted[scored] == target[scored]).sum().item()
            total += scored.sum().item()
    model.train()
    return round(right / total, 3)


ours = LlamaForCausalLM.from_pretrained(args.checkpoint)
print(f"vlmtune checkpoint: copy {accuracy(ours, copies)}, questions {accuracy(ours, questions)}", flush=True)

model = LlamaForCausalLM(config)
optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01, betas=(0.9, 0.999), eps=1e-8)
warmup = math.ceil(0.05 * args.steps)
schedule = torch.optim.lr_scheduler.LambdaLR(
    optimizer, lambda s: s / warmup if s < warmup else 0.5 * (1 + math.cos(math.pi * (s - warmup) / (args.steps - warmup))))
order, start = [], time.time()
for step in range(args.steps):
    if len(order) < args.batch:
        order += random.sample(range(len(docs)), len(docs))
    ids, labels, mask = batchify([docs[order.pop()] for _ in range(args.batch)])
    loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
    optimizer.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    schedule.step()
    if step % 250 == 0 or step == args.steps - 1:
        print(f"PyTorch step {step}: loss {loss.item():.3f}, copy {accuracy(model, copies)}, "
              f"questions {accuracy(model, questions)} ({time.time() - start:.0f} s)", flush=True)
