#!/usr/bin/env python3
"""Text-only versions of the demo's held-out sets: each question gets its image's caption
(from eval/caption.jsonl) in place of the image, so the demo's pretrained LLM alone can be
scored on them with `vlmtune eval --checkpoint <lm-pretrain run> --set text-short.jsonl`.

Usage:  python scripts/research/demo_text_eval_sets.py Checkpoints/demo/data OUT_DIR
Writes OUT_DIR/text-yesno.jsonl, text-short.jsonl and text-caption.jsonl (repeat the caption).
"""
import json
import sys

data, out = sys.argv[1], sys.argv[2]
caption = {}
for line in open(f"{data}/eval/caption.jsonl"):
    item = json.loads(line)
    caption[item["image"]] = item["answer"]
for name in ["yesno", "short", "caption"]:
    with open(f"{out}/text-{name}.jsonl", "w") as f:
        for line in open(f"{data}/eval/{name}.jsonl"):
            item = json.loads(line)
            image = item.pop("image")
            q = item["question"]
            item["question"] = q.replace("<image>", caption[image]) if "<image>" in q else caption[image] + "\n" + q
            f.write(json.dumps(item) + "\n")
