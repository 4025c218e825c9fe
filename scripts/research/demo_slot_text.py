#!/usr/bin/env python3
"""The demo's LLM pretraining text with the image's ideal stand-in, through vlmtune itself.

`vlmtune demo` pretrains its LLM on text where the caption stands where the image will go.
Here each quadrant becomes one added token that binds its place, colour and shape
("<tl red circle>", "<br empty>"): four tokens like the tower's four image tokens, with the
content already bound, so a question is one lookup. Writes OUT/text.json (the demo's
conversations, or with --single one question per document, boxes left out), OUT/tokenizer
(the demo's tokenizer plus the 52 slot tokens) and OUT/text-yesno.jsonl, text-short.jsonl
(the held-out sets with the slots in place of the image).

  python scripts/research/demo_slot_text.py Checkpoints/demo/data OUT [--single] [--tokenizer DIR]
  vlmtune data convert --json OUT/text.json --images OUT --tokenizer OUT/tokenizer \
      --template vicuna_v1 --out OUT/shards --max-length 256
  vlmtune train Recipes/demo/lm-pretrain.yaml model.llm.config.vocab_size=564 \
      model.tokenizer=OUT/tokenizer data.train=OUT/shards checkpoint.dir=OUT/lm [key=value ...]
  vlmtune eval --checkpoint OUT/lm --set OUT/text-short.jsonl --out OUT/eval

Findings (2026-11-22, stop 16; 128 wide, 4 layers, the demo's recipe unless noted). With
the initialisation vlmtune had until this stop (matrices uniform +-1/sqrt(in), embeddings
normal(0, 0.02)) the LLM learns to count the occupied slots and nothing that needs one slot
picked out:
  * the demo's conversations (3000 images), 3 epochs (2250 steps of 8, 210 s):
    colour 0.24, shape 0.30, existence 0.50, position 0.49, count 1.0;
    learning rate 1e-3 or 3e-4 instead of 3e-3 (1.5 epochs): the same.
  * --single on a 30000-image world (`vlmtune data synth-shapes --count 30000 --seed 5`,
    199k one-question documents), labels-only loss, batch 32 (train.max_steps=N
    train.global_batch=32 train.micro_batch=32 data.loss_on=labels): colour and shape stay
    at the prior (teacher-forced loss ln 4 and ln 3) after 32k-256k documents; after 256k
    (8000 steps, 992 s) the held-out text-short set gives colour 0.27, shape 0.35, count
    0.97. transformers + torch.optim at its default normal(0, 0.02): the same.
With model.llm.config.initializer_range=0.15 (transformers-style normal init, this stop's
change) 1000 steps of 32 (102 s) give colour 0.57, shape 0.44, count 1.0 on text-short; at
0.3 colour 0.39, shape 0.53, count 0.67. The scale of the initialisation, not the data or
the budget, kept the lookups from being learnt.
"""
import argparse
import json
import os
import random
import shutil

from demo_captions import QUADRANTS, objects_in
from demo_text_eval_sets import write_text_sets  # this folder is on sys.path when run as a script

ap = argparse.ArgumentParser()
ap.add_argument("data", help="a demo's data folder (text.json, eval/)")
ap.add_argument("out")
ap.add_argument("--tokenizer", help="the demo's tokenizer folder (default: DATA/../tokenizer)")
ap.add_argument("--single", action="store_true", help="one question per document")
args = ap.parse_args()
data, out, single = args.data, args.out, args.single
tokenizer_dir = args.tokenizer or f"{data}/../tokenizer"
KEYS = ["tl", "tr", "bl", "br"]
COLOURS = ["red", "green", "blue", "yellow"]
SHAPES = ["circle", "square", "triangle"]
SLOTS = [f"<{q} {c} {s}>" for q in KEYS for c in COLOURS for s in SHAPES] + [f"<{q} empty>" for q in KEYS]


def slots(caption):
    objects = {QUADRANTS.index(q): f"{c} {s}" for c, s, q in objects_in(caption)}
    return "".join(f"<{KEYS[i]} {objects[i]}>" if i in objects else f"<{KEYS[i]} empty>" for i in range(4))


os.makedirs(out + "/tokenizer", exist_ok=True)
docs = []
for doc in json.load(open(f"{data}/text.json")):
    turns = doc["conversations"]
    if doc["id"].startswith("textcap"):   # "Describe the image briefly." -> the caption, now from the slots
        turns[0]["value"] = slots(turns[1]["value"]) + "\n" + turns[0]["value"]
        if not single:
            docs.append(doc)
        continue
    caption, first = turns[0]["value"].split("\n", 1)
    turns[0]["value"] = first
    if single:
        for r in range(0, len(turns), 2):
            if not turns[r + 1]["value"].startswith("["):
                docs.append({"id": f"{doc['id']}-{r}", "conversations": [
                    {"from": "human", "value": slots(caption) + "\n" + turns[r]["value"]}, turns[r + 1]]})
    else:
        turns[0]["value"] = slots(caption) + "\n" + first
        docs.append(doc)
if single:
    random.Random(0).shuffle(docs)
json.dump(docs, open(f"{out}/text.json", "w"))

tokenizer = json.load(open(f"{tokenizer_dir}/tokenizer.json"))
first_id = len(tokenizer["model"]["vocab"])
for i, word in enumerate(SLOTS):
    tokenizer["added_tokens"].append({"id": first_id + i, "content": word, "single_word": False, "lstrip": False,
                                      "rstrip": False, "normalized": False, "special": False})
json.dump(tokenizer, open(f"{out}/tokenizer/tokenizer.json", "w"))
shutil.copy(f"{tokenizer_dir}/tokenizer_config.json", f"{out}/tokenizer/")

write_text_sets(data, out, ["yesno", "short"], stand_in=slots)
print(f"{len(docs)} documents, vocabulary {first_id + len(SLOTS)}")
