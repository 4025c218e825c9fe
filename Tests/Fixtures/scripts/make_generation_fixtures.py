"""Greedy generation references: transformers + PEFT on the committed llama fixture and its
adapter, for two prompts of different lengths batched with left padding.

Writes Tests/Fixtures/models/llama/generation.json:
  {"prompts": [[ids...], ...], "max_new_tokens": N, "with_adapter": [[ids...], ...], "base": [[ids...], ...]}
Outputs hold only the new tokens. Run from the repository root:
  /tmp/torchref/bin/python Tests/Fixtures/scripts/make_generation_fixtures.py
"""
import json
import os

import torch
from peft import PeftModel
from transformers import AutoModelForCausalLM

ROOT = os.path.join("Tests", "Fixtures", "models", "llama")
NEW = 12


def generate(model, prompts, pad):
    width = max(len(p) for p in prompts)
    ids = torch.tensor([[pad] * (width - len(p)) + p for p in prompts])
    mask = torch.tensor([[0] * (width - len(p)) + [1] * len(p) for p in prompts])
    with torch.no_grad():
        out = model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=NEW, min_new_tokens=NEW,
                             do_sample=False, pad_token_id=pad, eos_token_id=None)
    return out[:, width:].tolist()


def main():
    torch.manual_seed(0)
    base = AutoModelForCausalLM.from_pretrained(ROOT, dtype=torch.float32).eval()
    vocab = base.config.vocab_size
    g = torch.Generator().manual_seed(11)
    prompts = [torch.randint(0, vocab, (n,), generator=g).tolist() for n in (7, 4)]
    plain = generate(base, prompts, pad=0)
    adapted = PeftModel.from_pretrained(base, os.path.join(ROOT, "adapter")).eval()
    with_adapter = generate(adapted, prompts, pad=0)
    out = {"prompts": prompts, "max_new_tokens": NEW, "base": plain, "with_adapter": with_adapter}
    with open(os.path.join(ROOT, "generation.json"), "w") as f:
        json.dump(out, f)
    print(out)


if __name__ == "__main__":
    main()
