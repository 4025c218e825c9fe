#!/usr/bin/env python3
"""Builds Tests/Fixtures/models/llama_full_training/ (run by a developer, not CI).

Full-parameter training parity: a tiny random Llama (tied embeddings, GQA) on sequences
longer than one attention block of the engine (64 query rows), right-padded with an
attention mask, and the loss gradient of *every* weight as transformers computes it; then
the weights after two AdamW steps (weight decay, gradient clipping) as torch.optim.AdamW
and clip_grad_norm_ give them.

  model.safetensors + config.json   the starting weights
  inputs.safetensors                input_ids, labels, attention_mask
  expected.safetensors              loss, grad.<name> for every parameter, step2.<name>

Usage:  /tmp/torchref/bin/python Tests/Fixtures/scripts/make_training_fixtures.py
"""
import os
import shutil

import torch
from safetensors.torch import save_file
from transformers import LlamaConfig, LlamaForCausalLM

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models", "llama_full_training")
torch.set_num_threads(2)


def main():
    gen = torch.Generator().manual_seed(1)
    torch.manual_seed(1)
    shutil.rmtree(ROOT, ignore_errors=True)
    os.makedirs(ROOT)
    cfg = LlamaConfig(vocab_size=48, hidden_size=32, intermediate_size=40, num_hidden_layers=2, num_attention_heads=4,
                      num_key_value_heads=2, rms_norm_eps=1e-5, rope_theta=10000.0, tie_word_embeddings=True,
                      max_position_embeddings=256, attn_implementation="eager")
    model = LlamaForCausalLM(cfg).float()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name:
                p.copy_(1 + 0.2 * torch.randn(p.shape, generator=gen))
            else:  # larger than the 0.02 init, so attention is far from uniform over 150 keys
                p.copy_(0.15 * torch.randn(p.shape, generator=gen))
    model.save_pretrained(ROOT, safe_serialization=True)
    batch, seq = 2, 150
    ids = torch.randint(3, 48, (batch, seq), generator=gen)
    ids[:, 0] = 1
    mask = torch.ones(batch, seq, dtype=torch.long)
    mask[1, 110:] = 0                       # row 1 is 110 tokens, right-padded
    ids[1, 110:] = 0
    labels = ids.clone()
    labels[:, :20] = -100                   # a prompt without loss
    labels[mask == 0] = -100
    save_file({"input_ids": ids, "labels": labels, "attention_mask": mask.float()}, os.path.join(ROOT, "inputs.safetensors"))

    expected = {}
    out = model(input_ids=ids, attention_mask=mask, labels=labels)
    out.loss.backward()
    expected["loss"] = out.loss.detach().reshape(())
    for n, p in model.named_parameters():
        expected["grad." + n] = p.grad.detach().clone().contiguous()
    # Two AdamW steps on the same batch, as a trainer with grad_clip 0.5 takes them.
    # Decay on matrices only, as HF's Trainer (and vlmtune) group them.
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    plain = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": plain, "weight_decay": 0.0}],
                            lr=1e-2, betas=(0.9, 0.999), eps=1e-8)
    for _ in range(2):
        opt.zero_grad()
        model(input_ids=ids, attention_mask=mask, labels=labels).loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
        opt.step()
    for n, p in model.named_parameters():
        expected["step2." + n] = p.detach().clone().contiguous()
    save_file(expected, os.path.join(ROOT, "expected.safetensors"))
    for f in ("README.md", "generation_config.json"):
        if os.path.exists(os.path.join(ROOT, f)):
            os.remove(os.path.join(ROOT, f))
    print("written", ROOT, sorted(n for n, _ in model.named_parameters())[:3])


if __name__ == "__main__":
    main()
