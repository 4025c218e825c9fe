#!/usr/bin/env python3
"""Builds the model parity fixtures under Tests/Fixtures/models/ (run by a developer, not CI).

Each fixture is a tiny random-weight Hugging Face model folder (config.json +
safetensors) of one family, with every norm weight and bias randomised so that a wrong
formula shows, plus:
  inputs.safetensors    input_ids / labels / pixel_values as `vlmtune logits --input` reads them
  expected.safetensors  what transformers computes: logits (+ loss) or last_hidden_state and
                        hidden_states; with an adapter also the loss gradient of every LoRA tensor
  adapter/              (some fixtures) a PEFT LoRA adapter with random non-zero A and B

Usage:  /tmp/torchref/bin/python Tests/Fixtures/scripts/make_model_fixtures.py
Needs:  torch, transformers (5.x), peft, safetensors.
"""
import json
import os
import shutil

import torch
from safetensors.torch import save_file
from transformers import (CLIPVisionConfig, CLIPVisionModel, LlamaConfig, LlamaForCausalLM, LlavaConfig,
                          LlavaForConditionalGeneration, Qwen2Config, Qwen2ForCausalLM, SiglipVisionConfig,
                          SiglipVisionModel)

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models")
torch.set_num_threads(2)


def randomise_norms(model, gen):
    """LayerNorm/RMSNorm weights ~ 1 + 0.2 N(0,1), every bias ~ 0.1 N(0,1): defaults (1 and 0) hide mistakes."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name.lower() and name.endswith("weight"):
                p.copy_(1 + 0.2 * torch.randn(p.shape, generator=gen))
            elif name.endswith("bias"):
                p.copy_(0.1 * torch.randn(p.shape, generator=gen))
            elif "class_embedding" in name or "position_embedding" in name:
                p.copy_(0.5 * torch.randn(p.shape, generator=gen))


def fresh(name):
    path = os.path.join(ROOT, name)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def save_model(model, path, dtype=None, shard=None):
    if dtype is not None:
        model = model.to(dtype)
    kwargs = {"safe_serialization": True}
    if shard:
        kwargs["max_shard_size"] = shard
    model.save_pretrained(path, **kwargs)
    if dtype is not None:
        model.to(torch.float32)


def lm_inputs(vocab, gen, batch=2, seq=9, image_token=None, image_runs=0, run_len=0):
    ids = torch.randint(3, vocab - 1, (batch, seq), generator=gen)
    ids[:, 0] = 1
    if image_token is not None:
        for b in range(batch):
            for r in range(image_runs if b == 0 else max(image_runs - 1, 0)):
                start = 1 + r * (run_len + 2)
                ids[b, start:start + run_len] = image_token
    labels = ids.clone()
    labels[:, :2] = -100
    labels[0, 5] = -100
    if image_token is not None:
        labels[ids == image_token] = -100
    return ids, labels


def causal_lm_fixture(name, model, vocab, gen, dtype=None, shard=None, adapter=None, seq=9):
    path = fresh(name)
    randomise_norms(model, gen)
    model.eval()
    save_model(model, path, dtype=dtype, shard=shard)
    if dtype is not None:  # reference = the stored weights, computed in f32
        model = model.to(dtype).to(torch.float32)
    ids, labels = lm_inputs(vocab, gen, seq=seq)
    save_file({"input_ids": ids, "labels": labels}, os.path.join(path, "inputs.safetensors"))
    expected = {}
    with torch.no_grad():
        out = model(input_ids=ids, labels=labels)
    expected["logits"] = out.logits.float().contiguous()
    expected["loss"] = out.loss.float().reshape(())
    save_file(expected, os.path.join(path, "expected.safetensors"))
    if adapter:
        adapter_fixture(path, model, ids, labels, adapter, gen)


def adapter_fixture(path, model, ids, labels, lora, gen, pixel_values=None, prefix_ok=None):
    from peft import LoraConfig, get_peft_model

    cfg = LoraConfig(r=lora["r"], lora_alpha=lora["alpha"], lora_dropout=0.0, target_modules=lora["targets"],
                     use_rslora=lora.get("rslora", False), init_lora_weights=False,
                     rank_pattern=lora.get("rank_pattern", {}), alpha_pattern=lora.get("alpha_pattern", {}))
    peft_model = get_peft_model(model, cfg)
    with torch.no_grad():
        for n, p in peft_model.named_parameters():
            if "lora_" in n:
                p.copy_(0.3 * torch.randn(p.shape, generator=gen))
    peft_model.save_pretrained(os.path.join(path, "adapter"))
    kwargs = {"input_ids": ids, "labels": labels}
    if pixel_values is not None:
        kwargs["pixel_values"] = pixel_values
    out = peft_model(**kwargs)
    out.loss.backward()
    expected = {"logits": out.logits.detach().float().contiguous(), "loss": out.loss.detach().float().reshape(())}
    for n, p in peft_model.named_parameters():
        if "lora_" in n:
            key = n.replace(".default", "")
            expected[key] = p.grad.detach().float().contiguous()
    save_file(expected, os.path.join(path, "expected_adapter.safetensors"))


def vision_fixture(name, model, image_size, gen, batch=2, hub_prefix=False):
    path = fresh(name)
    randomise_norms(model, gen)
    model.eval()
    save_model(model, path)
    if hub_prefix:  # checkpoints made before transformers 5 nest the keys under vision_model.
        from safetensors.torch import load_file
        f = os.path.join(path, "model.safetensors")
        save_file({"vision_model." + k: v for k, v in load_file(f).items()}, f, metadata={"format": "pt"})
    pixels = torch.randn((batch, 3, image_size, image_size), generator=gen)
    save_file({"pixel_values": pixels}, os.path.join(path, "inputs.safetensors"))
    with torch.no_grad():
        out = model(pixel_values=pixels, output_hidden_states=True)
    save_file({"last_hidden_state": out.last_hidden_state.contiguous(),
               "hidden_states": torch.stack(out.hidden_states, 0).contiguous()},
              os.path.join(path, "expected.safetensors"))


def llava_fixture(name, vision_config, text_config, gen, legacy=False, adapter=None, feature_layer=-2,
                  strategy="default"):
    path = fresh(name)
    image_token = text_config.vocab_size - 1
    config = LlavaConfig(vision_config=vision_config, text_config=text_config, image_token_index=image_token,
                         vision_feature_layer=feature_layer, vision_feature_select_strategy=strategy,
                         projector_hidden_act="gelu", tie_word_embeddings=text_config.tie_word_embeddings)
    model = LlavaForConditionalGeneration(config).float()
    randomise_norms(model, gen)
    model.eval()
    save_model(model, path)
    # transformers 5 saves llava in the old layout; write the layout this fixture is for from the
    # runtime names (the current layout): current = model.language_model.* / model.vision_tower.* /
    # model.multi_modal_projector.* / lm_head.*; legacy = as on the hub before 4.52, including the
    # vision_tower.vision_model.* level that transformers 5 no longer has.
    state = {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()}
    if text_config.tie_word_embeddings:
        state.pop("lm_head.weight", None)
    if legacy:
        out = {}
        for k, v in state.items():
            if k.startswith("model.language_model."):
                k = "language_model.model." + k[len("model.language_model."):]
            elif k.startswith("lm_head."):
                k = "language_model." + k
            elif k.startswith("model.vision_tower."):
                k = "vision_tower.vision_model." + k[len("model.vision_tower."):]
            elif k.startswith("model."):
                k = k[len("model."):]
            out[k] = v
        state = out
        cj = json.load(open(os.path.join(path, "config.json")))
        cj["image_token_index"] = cj.pop("image_token_id", image_token)
        json.dump(cj, open(os.path.join(path, "config.json"), "w"), indent=2)
    for f in os.listdir(path):
        if f.endswith(".safetensors"):
            os.remove(os.path.join(path, f))
    save_file(state, os.path.join(path, "model.safetensors"), metadata={"format": "pt"})
    has_cls = vision_config.model_type == "clip_vision_model"
    per_image = (vision_config.image_size // vision_config.patch_size) ** 2 + has_cls - (strategy == "default")
    n_images = 3  # sample 0 has two images, sample 1 has one
    seq = 2 * (per_image + 2) + 6
    ids, labels = lm_inputs(text_config.vocab_size, gen, seq=seq, image_token=image_token, image_runs=2, run_len=per_image)
    pixels = torch.randn((n_images, 3, vision_config.image_size, vision_config.image_size), generator=gen)
    save_file({"input_ids": ids, "labels": labels, "pixel_values": pixels}, os.path.join(path, "inputs.safetensors"))
    with torch.no_grad():
        out = model(input_ids=ids, pixel_values=pixels, labels=labels)
    save_file({"logits": out.logits.float().contiguous(), "loss": out.loss.float().reshape(())},
              os.path.join(path, "expected.safetensors"))
    if adapter:
        adapter_fixture(path, model, ids, labels, adapter, gen, pixel_values=pixels)


def main():
    gen = torch.Generator().manual_seed(0)
    torch.manual_seed(0)
    os.makedirs(ROOT, exist_ok=True)

    # Llama: GQA 4/2, untied, explicit head_dim that differs from hidden/heads, with an adapter.
    cfg = LlamaConfig(vocab_size=96, hidden_size=32, intermediate_size=56, num_hidden_layers=2, num_attention_heads=4,
                      num_key_value_heads=2, head_dim=12, rms_norm_eps=1e-5, rope_theta=10000.0,
                      tie_word_embeddings=False, attn_implementation="eager")
    causal_lm_fixture("llama", LlamaForCausalLM(cfg).float(), 96, gen,
                      adapter={"r": 4, "alpha": 8, "targets": ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
                               "rank_pattern": {"down_proj": 2}, "alpha_pattern": {"v_proj": 3}})

    # Llama 3 style: tied embeddings, llama3 rope scaling, attention + mlp bias, MHA, bf16 storage, sharded.
    cfg = LlamaConfig(vocab_size=80, hidden_size=24, intermediate_size=40, num_hidden_layers=2, num_attention_heads=3,
                      num_key_value_heads=3, rms_norm_eps=1e-6, attention_bias=True, mlp_bias=True,
                      rope_parameters={"rope_type": "llama3", "rope_theta": 500000.0, "factor": 8.0, "low_freq_factor": 1.0,
                                       "high_freq_factor": 4.0, "original_max_position_embeddings": 16},
                      max_position_embeddings=128, tie_word_embeddings=True, attn_implementation="eager")
    causal_lm_fixture("llama3_tied_bf16_sharded", LlamaForCausalLM(cfg).float(), 80, gen, dtype=torch.bfloat16,
                      shard="20KB", seq=40)

    # Qwen2: q/k/v bias, tied, theta 1e6, GQA 6/1, rsLoRA adapter on a regex target.
    cfg = Qwen2Config(vocab_size=72, hidden_size=36, intermediate_size=48, num_hidden_layers=2, num_attention_heads=6,
                      num_key_value_heads=1, rope_theta=1000000.0, rms_norm_eps=1e-6, tie_word_embeddings=True,
                      attn_implementation="eager")
    causal_lm_fixture("qwen2", Qwen2ForCausalLM(cfg).float(), 72, gen,
                      adapter={"r": 3, "alpha": 5, "rslora": True, "targets": r".*\.(q_proj|v_proj|up_proj)"})

    # Vision towers.
    vcfg = CLIPVisionConfig(hidden_size=32, intermediate_size=48, num_hidden_layers=3, num_attention_heads=4,
                            image_size=24, patch_size=6, hidden_act="quick_gelu", layer_norm_eps=1e-5,
                            attn_implementation="eager")
    vision_fixture("clip_vision", CLIPVisionModel(vcfg).float(), 24, gen)
    scfg = SiglipVisionConfig(hidden_size=40, intermediate_size=56, num_hidden_layers=2, num_attention_heads=5,
                              image_size=20, patch_size=5, hidden_act="gelu_pytorch_tanh", layer_norm_eps=1e-6,
                              attn_implementation="eager")
    vision_fixture("siglip_vision", SiglipVisionModel(scfg).float(), 20, gen, hub_prefix=True)

    # LLaVA: CLIP tower + Llama, current layout with an adapter; legacy layout; SigLIP + Qwen2 "full" with two layers.
    vcfg = CLIPVisionConfig(hidden_size=24, intermediate_size=32, num_hidden_layers=3, num_attention_heads=3,
                            image_size=16, patch_size=8, hidden_act="quick_gelu", attn_implementation="eager")
    tcfg = LlamaConfig(vocab_size=64, hidden_size=32, intermediate_size=48, num_hidden_layers=2, num_attention_heads=4,
                       num_key_value_heads=2, tie_word_embeddings=False, attn_implementation="eager")
    llava_fixture("llava", vcfg, tcfg, gen, adapter={"r": 2, "alpha": 4, "targets": r".*language_model.*\.(q_proj|v_proj|down_proj)"})
    llava_fixture("llava_legacy", vcfg, tcfg, gen, legacy=True)
    scfg = SiglipVisionConfig(hidden_size=20, intermediate_size=28, num_hidden_layers=3, num_attention_heads=2,
                              image_size=12, patch_size=6, attn_implementation="eager")
    qcfg = Qwen2Config(vocab_size=56, hidden_size=24, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2,
                       num_key_value_heads=1, tie_word_embeddings=True, attn_implementation="eager")
    llava_fixture("llava_siglip_qwen2", scfg, qcfg, gen, feature_layer=[-2, -1], strategy="full")

    # Drop what the savers add but the tests never read.
    for dirpath, _, files in os.walk(ROOT):
        for f in files:
            if f in ("README.md", "generation_config.json"):
                os.remove(os.path.join(dirpath, f))
    total = 0
    for dirpath, _, files in os.walk(ROOT):
        for f in files:
            total += os.path.getsize(os.path.join(dirpath, f))
    print(f"fixtures written to {ROOT}: {total / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
