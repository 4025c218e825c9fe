#!/usr/bin/env python3
"""How fast does an LLM of the demo's size learn to answer from image-like tokens?

The demo's stage 2 gives its LLM four image tokens, one per quadrant of the 64x64 image, and
asks colour, shape, position, existence and count questions in multi-round vicuna_v1
conversations. This is that task with the vision side idealised (PyTorch, 2 threads, 0.5-4
minutes a try): each image token is a learned embedding of (quadrant, colour, shape) or of
an empty quadrant, or with --factor the sum of the embeddings of its words ("topleft" +
"red" + "circle"), the most favourable thing a projector could produce. A Llama of the given
shape is trained from scratch on the answers; accuracy of the answer's first token on
held-out single-question samples is printed per question kind (chance: colour 0.25, shape
0.33, position 0.5 for its first word, existence 0.5, count 0.25).

Findings (2026-11-22, each a run of this script; the numbers vary +-0.1 with the seed):
  * One object per image, one question kind: learned in 100 steps, even with 1 layer
    (KINDS=colour --oneobj 1 --heldone 1 --layers 1 --suffix 0 --system 0 --steps 300).
  * One object, colour and shape questions mixed, 7 rounds per conversation: at chance
    after 300 steps; the same as single-round samples (--rounds 1 --batch 64): 1.0 / 1.0
    by step 200. Multi-round conversations slow learning by much more than their extra
    answers speed it.
  * 1-4 objects, all five kinds, the demo's 7 rounds, 128 wide / 4 layers: colour, shape
    and existence at chance after 2000 steps of 16 conversations; count learned by 500,
    position 0.6-0.7.
  * Single-round, batch 64, 2 layers, 2000 steps: colour 0.45, shape 0.49, existence at
    chance; with 30% one-object images in training (--oneobj 0.3): colour 0.70, shape 0.82;
    with --factor: shape 0.98, existence 0.75, colour at chance; both: colour 0.64, shape
    0.79, existence 0.68.
  * Width and learning rate (2026-11-22, stop 13; --threads 1 --suffix 0 --system 0
    --layers 2 --rounds 1 --batch 64 --steps 1000 --oneobj 0.3): 128 wide: colour 0.28,
    shape 0.53, existence 0.44 (66 s); --hidden 256 --inter 688 --heads 8 --kv-heads 4:
    colour 0.51, shape 0.74, existence 0.43 (212 s); --lr 6e-3: colour 0.23, shape 0.51.
So a model of the demo's size needs ~100k single-question samples with a curriculum to
approach the demo's targets even with ideal image tokens; the demo's stage 2 budget is
~20k conversations. The same change in the real pipeline (single-round samples, 117 s of
stage 2) gave colour 0.49, position 0.49, shape 0.32, yes/no 0.50.

  python scripts/research/demo_slot_probe.py --suffix 0 --system 0 --layers 2 --rounds 1 --batch 64 --steps 2000 --oneobj 0.3

Stop 16: these findings were made at transformers' default initializer_range 0.02, the scale
that turned out to keep an LLM this narrow from learning lookups at all; at 0.15 it learns
them (README, "What held the demo back"; scripts/research/demo_slot_text.py).
"""
import argparse
import math
import os
import random
import time

import torch
from transformers import LlamaConfig, LlamaForCausalLM

ap = argparse.ArgumentParser()
ap.add_argument("--steps", type=int, default=750)
ap.add_argument("--batch", type=int, default=16, help="conversations per step")
ap.add_argument("--lr", type=float, default=2e-3)
ap.add_argument("--rounds", type=int, default=7, help="questions per conversation")
ap.add_argument("--hidden", type=int, default=128)
ap.add_argument("--inter", type=int, default=344)
ap.add_argument("--layers", type=int, default=4)
ap.add_argument("--heads", type=int, default=4)
ap.add_argument("--kv-heads", type=int, default=2)
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--suffix", type=int, default=1, help="LLaVA's 'Answer the question using a single word or phrase.'")
ap.add_argument("--system", type=int, default=1, help="a system prompt before the conversation")
ap.add_argument("--factor", type=int, default=0, help="image token = sum of its words' embeddings")
ap.add_argument("--oneobj", type=float, default=0.0, help="share of training images with one object")
ap.add_argument("--heldone", type=float, default=0.0, help="the same for the held-out set")
ap.add_argument("--every", type=int, default=250)
ap.add_argument("--seed", type=int, default=0)
args = ap.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)
random.seed(args.seed)

C = ["red", "green", "blue", "yellow"]
S = ["circle", "square", "triangle"]
Q = ["top left", "top right", "bottom left", "bottom right"]
QW = ["topleft", "topright", "bottomleft", "bottomright"]
SLOTS = [f"q{q}_empty" for q in range(4)] + [f"q{q}_{c}_{s}" for q in range(4) for c in C for s in S]
WORDS = set(QW) | set(" ".join(C + S + Q).split()) | set(SLOTS) | set(
    "a chat between user and assistant the gives helpful answers to questions : what color is shape in where there yes no "
    "how many shapes are 1 2 3 4 ? . answer question using single word or phrase image".split())
vocab = {w: i + 4 for i, w in enumerate(sorted(WORDS))}  # 0 pad, 1 bos, 2 end of answer
KINDS = os.environ.get("KINDS", "colour,shape,position,exist,count").split(",")


def enc(s):
    for p in ",.?:;":
        s = s.replace(p, " " + p)
    return [vocab[w] for w in s.split()]


def scene(one):
    n = 1 if random.random() < one else random.randint(1, 4)
    return sorted((q, random.choice(C), random.choice(S)) for q in random.sample(range(4), n))


def image_tokens(sc):
    t = [f"q{q}_empty" for q in range(4)]
    for q, c, s in sc:
        t[q] = f"q{q}_{c}_{s}"
    return " ".join(t)


def question(sc):
    """As ShapesQuestions.swift words them."""
    kind = random.choice(KINDS)
    q, c, s = random.choice(sc)
    if kind == "colour":
        unique = [o for o in sc if sum(p[2] == o[2] for p in sc) == 1]
        if unique:
            o = random.choice(unique)
            return kind, f"what color is the {o[2]} ?", o[1]
        return kind, f"what color is the shape in the {Q[q]} ?", c
    if kind == "shape":
        return kind, f"what shape is in the {Q[q]} ?", s
    if kind == "position":
        unique = [o for o in sc if sum(p[1:] == o[1:] for p in sc) == 1] or sc
        q, c, s = random.choice(unique)
        return kind, f"where is the {c} {s} ?", Q[q]
    if kind == "exist":
        if random.random() < 0.5:
            return kind, f"is there a {c} {s} in the image ?", "yes"
        cc, ss = random.choice([(a, b) for a in C for b in S if all((a, b) != o[1:] for o in sc)])
        return kind, f"is there a {cc} {ss} in the image ?", "no"
    return kind, "how many shapes are there ?", str(len(sc))


SYSTEM = "a chat between a user and assistant . the assistant gives helpful answers to the user questions ." if args.system else ""
SUFFIX = " answer the question using a single word or phrase ." if args.suffix else ""


def conversation(rounds, one):
    sc = scene(one)
    ids = [1] + enc(SYSTEM)
    labels = [-100] * len(ids)
    for r in range(rounds):
        kind, q, a = question(sc)
        prompt = enc("user : " + (image_tokens(sc) + " " if r == 0 else "") + q + SUFFIX + " assistant :")
        answer = enc(a) + [2]
        ids += prompt + answer
        labels += [-100] * len(prompt) + answer
    return kind, ids, labels


def pad(batch):
    n = max(len(x[1]) for x in batch)
    return (torch.tensor([x[1] + [0] * (n - len(x[1])) for x in batch]),
            torch.tensor([x[2] + [-100] * (n - len(x[2])) for x in batch]),
            torch.tensor([[1] * len(x[1]) + [0] * (n - len(x[1])) for x in batch]))


cfg = LlamaConfig(vocab_size=len(vocab) + 4, hidden_size=args.hidden, intermediate_size=args.inter, num_hidden_layers=args.layers,
                  num_attention_heads=args.heads, num_key_value_heads=args.kv_heads, tie_word_embeddings=True, max_position_embeddings=512)
model = LlamaForCausalLM(cfg)
slot_words = {vocab[n]: [QW[int(n[1])]] + [w for w in n.split("_")[1:] if w != "empty"] for n in SLOTS}


def embeds(ids):
    table = model.model.embed_tokens
    e = table(ids)
    if not args.factor:
        return e
    for tid, words in slot_words.items():
        v = sum(table.weight[vocab[w]] for w in words)
        e = torch.where((ids == tid).unsqueeze(-1), v.expand_as(e), e)
    return e


opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.0)
warm = max(1, args.steps // 33)
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: s / warm if s < warm else 0.5 * (1 + math.cos(math.pi * (s - warm) / (args.steps - warm))))
held = [conversation(1, args.heldone) for _ in range(500)]
t0 = time.time()
for step in range(args.steps):
    ids, labels, mask = pad([conversation(args.rounds, args.oneobj) for _ in range(args.batch)])
    loss = model(inputs_embeds=embeds(ids), attention_mask=mask, labels=labels).loss
    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    sched.step()
    if step % args.every == 0 or step == args.steps - 1:
        with torch.no_grad():
            ids, labels, mask = pad(held)
            pred = model(inputs_embeds=embeds(ids), attention_mask=mask).logits[:, :-1].argmax(-1)
            target = labels[:, 1:]
            first = (target != -100).float().argmax(1)
            rows = torch.arange(len(held))
            ok = (pred[rows, first] == target[rows, first]).tolist()
        acc = {k: round(sum(o for o, h in zip(ok, held) if h[0] == k) / max(1, sum(h[0] == k for h in held)), 2) for k in KINDS}
        print(f"step {step} loss {loss.item():.3f} held-out {acc} {time.time() - t0:.0f} s", flush=True)
