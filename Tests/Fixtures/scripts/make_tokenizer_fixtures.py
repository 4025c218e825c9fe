#!/usr/bin/env python3
"""Builds the tokenizer fixtures of vlmtune's `Tokenizers` tests (run by a developer, never by CI).

    /tmp/torchref/bin/python Tests/Fixtures/scripts/make_tokenizer_fixtures.py

No checkpoint is downloaded: every tokenizer is *trained* here with HF `tokenizers` on the small
corpus of tokenizer_fixture_text.py, then given the exact pipeline (normalizer, pre-tokenizer,
model flags, added tokens, post-processor, decoder) of a real family, so the fixtures are small
(a few hundred to ~1500 tokens) but exercise the same code paths as GPT-2/SmolLM, Llama 3,
Qwen2 and Llama 2 (legacy and non-legacy). A few "misc" tokenizers cover the other components.

Writes into Tests/Fixtures/tokenizers/:
  <name>/tokenizer.json (+ tokenizer_config.json, special_tokens_map.json where the family has them)
  <name>.golden.json        strings -> ids (tokenizers and transformers), ids -> text (decode)
  conversations.golden.json LLaVA template encodings (input_ids, labels, generation prompts)
  corpus.json               the texts the Swift BPETrainer test trains on
and, when Tests/Fixtures/tokenizers/swift-trained/tokenizer.json exists (written by the Swift
test `BPETrainerTests` with VLMTUNE_WRITE_FIXTURES=1), swift-trained.golden.json: HF's encodings
with the tokenizer that vlmtune trained.
"""
import copy
import hashlib
import json
import random
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from tokenizer_fixture_text import CONVERSATIONS, CORPUS, PLAIN_CONVERSATIONS, TEST_STRINGS  # noqa: E402
from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers  # noqa: E402
from transformers import AutoTokenizer, PreTrainedTokenizerFast  # noqa: E402

OUT = HERE.parent / "tokenizers"

GPT2_PATTERN = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"
LLAMA3_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}"
                  r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")
QWEN2_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}"
                 r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")

# The chat templates shipped with Meta-Llama-3-8B-Instruct and Qwen2-7B-Instruct; used to check
# that vlmtune's llama3/chatml prompts equal what the models' own templates render.
LLAMA3_CHAT_TEMPLATE = (
    "{% set loop_messages = messages %}{% for message in loop_messages %}"
    "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'"
    "+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}"
    "{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}")
QWEN2_CHAT_TEMPLATE = (
    "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n' }}{% endif %}"
    "{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}")


def state(component):
    """The JSON form of a tokenizers component, as tokenizer.json stores it."""
    return json.loads(component.__getstate__())


def added(token_id, content, special=True, normalized=None, lstrip=False, rstrip=False, single_word=False):
    return {"id": token_id, "content": content, "single_word": single_word, "lstrip": lstrip,
            "rstrip": rstrip, "normalized": (not special) if normalized is None else normalized,
            "special": special}


def train(pre_tokenizer, vocab_size, special_tokens=(), normalizer=None, keep_character=None,
          byte_level=False, unk_token=None):
    """Trains a BPE on CORPUS (only the characters `keep_character` accepts, when given, so that
    the others are unknown to the model); returns (vocab dict, merges as (a, b) tuples).
    (tokenizers' own `limit_alphabet` breaks frequency ties at random, so it is not used: the
    fixtures must come out the same on every run.)"""
    tok = Tokenizer(models.BPE(unk_token=unk_token))
    if normalizer is not None:
        tok.normalizer = normalizer
    tok.pre_tokenizer = pre_tokenizer
    options = dict(vocab_size=vocab_size, min_frequency=1, special_tokens=list(special_tokens),
                   show_progress=False)
    if byte_level:
        options["initial_alphabet"] = pre_tokenizers.ByteLevel.alphabet()
    corpus = CORPUS if keep_character is None else ["".join(c for c in text if keep_character(c)) for text in CORPUS]
    tok.train_from_iterator(corpus, trainers.BpeTrainer(**options))
    model = json.loads(tok.to_str())["model"]
    merges = [tuple(m) if isinstance(m, list) else tuple(m.split(" ")) for m in model["merges"]]
    return model["vocab"], merges


def bpe_model(vocab, merges, unk_token=None, fuse_unk=False, byte_fallback=False, ignore_merges=False,
              prefix=None, suffix=None, legacy_merges=False):
    return {"type": "BPE", "dropout": None, "unk_token": unk_token, "continuing_subword_prefix": prefix,
            "end_of_word_suffix": suffix, "fuse_unk": fuse_unk, "byte_fallback": byte_fallback,
            "ignore_merges": ignore_merges, "vocab": vocab,
            "merges": [f"{a} {b}" for a, b in merges] if legacy_merges else [[a, b] for a, b in merges]}


def tokenizer_file(model, added_tokens, normalizer=None, pre_tokenizer=None, post_processor=None, decoder=None):
    return {"version": "1.0", "truncation": None, "padding": None, "added_tokens": added_tokens,
            "normalizer": normalizer, "pre_tokenizer": pre_tokenizer, "post_processor": post_processor,
            "decoder": decoder, "model": model}


def renumber(vocab, start):
    """The vocab's tokens in id order, renumbered from `start`."""
    return {token: start + i for i, token in enumerate(sorted(vocab, key=vocab.get))}


def added_tokens_decoder(added_tokens):
    return {str(t["id"]): {k: t[k] for k in ("content", "lstrip", "normalized", "rstrip", "single_word", "special")}
            for t in added_tokens}


# ----------------------------------------------------------------------------------------------
# Families


def family_gpt2():
    """GPT-2 byte-level BPE; merges in the legacy "a b" form, <|endoftext|> last in the vocab.
    Deviations from the real GPT-2, on purpose: add_prefix_space=true (RoBERTa style) to cover that
    flag, and a tokenizer_config.json with add_bos_token=true (which transformers 5 must ignore
    since a tokenizer.json exists: the goldens check that tokenizer(text) still adds no BOS) and
    clean-up of tokenization spaces forced on (so decode's clean-up runs)."""
    byte_level = pre_tokenizers.ByteLevel(add_prefix_space=True, use_regex=True)
    vocab, merges = train(byte_level, 800, byte_level=True)
    vocab = renumber(vocab, 0)
    vocab["<|endoftext|>"] = len(vocab)
    tokens = [added(vocab["<|endoftext|>"], "<|endoftext|>")]
    data = tokenizer_file(bpe_model(vocab, merges, prefix="", suffix="", legacy_merges=True), tokens,
                          pre_tokenizer=state(byte_level),
                          post_processor=state(processors.ByteLevel(trim_offsets=False)),
                          decoder=state(decoders.ByteLevel()))
    config = {"tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": 1024,
              "bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>", "unk_token": "<|endoftext|>",
              "add_bos_token": True, "add_eos_token": False, "clean_up_tokenization_spaces": True,
              "clean_up_tokenization_spaces_for_bpe_even_though_it_will_corrupt_output": True}
    return data, config, None, {"indent": 2}


def family_smollm():
    """SmolLM: Digits(individual) then byte-level GPT-2 regex; <|endoftext|>, <|im_start|>,
    <|im_end|> at ids 0-2; chatml chat format; unk/bos/eos/pad as in SmolLM2-Instruct."""
    pre = pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True),
                                   pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)])
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    vocab, merges = train(pre, 600, special_tokens=specials, byte_level=True)
    tokens = [added(vocab[s], s) for s in specials]
    data = tokenizer_file(bpe_model(vocab, merges, prefix="", suffix=""), tokens, pre_tokenizer=state(pre),
                          post_processor=state(processors.ByteLevel(trim_offsets=False)),
                          decoder=state(decoders.ByteLevel()))
    config = {"tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": 8192,
              "bos_token": "<|im_start|>", "eos_token": "<|im_end|>", "pad_token": "<|im_end|>",
              "unk_token": "<|endoftext|>", "additional_special_tokens": ["<|im_start|>", "<|im_end|>"],
              "clean_up_tokenization_spaces": False, "added_tokens_decoder": added_tokens_decoder(tokens),
              "chat_template": QWEN2_CHAT_TEMPLATE}
    return data, config, None, {}


def family_llama3():
    """Llama 3: Split(Llama 3 regex) + ByteLevel(use_regex=false), ignore_merges, special tokens
    after the base vocab in Llama 3's order, post-processor Sequence[ByteLevel, Template(BOS)].
    One extra vocab entry ("Ġsupercalifragilisticexpialidocious") has no merges leading to it,
    so ignore_merges changes the result for that word, as it does in the real vocab."""
    pre = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(LLAMA3_PATTERN), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=False)])
    vocab, merges = train(pre, 1500, byte_level=True)
    vocab = renumber(vocab, 0)
    vocab["Ġsupercalifragilisticexpialidocious"] = len(vocab)
    names = ["<|begin_of_text|>", "<|end_of_text|>", "<|reserved_special_token_0|>",
             "<|reserved_special_token_1|>", "<|reserved_special_token_2|>", "<|reserved_special_token_3|>",
             "<|start_header_id|>", "<|end_header_id|>", "<|reserved_special_token_4|>", "<|eot_id|>"]
    tokens = [added(len(vocab) + i, name) for i, name in enumerate(names)]
    bos = tokens[0]["id"]
    template = processors.TemplateProcessing(
        single="<|begin_of_text|> $A", pair="<|begin_of_text|> $A <|begin_of_text|>:1 $B:1",
        special_tokens=[("<|begin_of_text|>", bos)])
    post = processors.Sequence([processors.ByteLevel(add_prefix_space=True, trim_offsets=False), template])
    data = tokenizer_file(bpe_model(vocab, merges, ignore_merges=True), tokens, pre_tokenizer=state(pre),
                          post_processor=state(post), decoder=state(decoders.ByteLevel()))
    # clean_up_tokenization_spaces is true in Llama 3's config; transformers 5 ignores it for BPE
    # models unless the override key is set, which it is not here.
    config = {"tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": 8192,
              "bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>", "clean_up_tokenization_spaces": True,
              "added_tokens_decoder": added_tokens_decoder(tokens), "chat_template": LLAMA3_CHAT_TEMPLATE}
    return data, config, None, {}


def family_qwen2():
    """Qwen2: NFC, Split(Qwen2 regex) + ByteLevel(use_regex=false), <|endoftext|>, <|im_start|>,
    <|im_end|> after the vocab, no BOS. Written with every non-ASCII character \\u-escaped."""
    pre = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(QWEN2_PATTERN), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False)])
    vocab, merges = train(pre, 1200, normalizer=normalizers.NFC(), byte_level=True)
    vocab = renumber(vocab, 0)
    names = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    tokens = [added(len(vocab) + i, name) for i, name in enumerate(names)]
    data = tokenizer_file(bpe_model(vocab, merges, prefix="", suffix=""), tokens, normalizer=state(normalizers.NFC()),
                          pre_tokenizer=state(pre), post_processor=state(processors.ByteLevel(
                              add_prefix_space=False, trim_offsets=False, use_regex=False)),
                          decoder=state(decoders.ByteLevel(add_prefix_space=False, trim_offsets=False,
                                                           use_regex=False)))
    config = {"tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": 32768, "bos_token": None,
              "eos_token": "<|im_end|>", "pad_token": "<|endoftext|>", "unk_token": None,
              "additional_special_tokens": ["<|im_start|>", "<|im_end|>"], "errors": "replace",
              "clean_up_tokenization_spaces": False, "split_special_tokens": False,
              "added_tokens_decoder": added_tokens_decoder(tokens), "chat_template": QWEN2_CHAT_TEMPLATE}
    return data, config, None, {"ensure_ascii": True}


def llama2_vocab():
    """A sentencepiece-style vocab: <unk> <s> </s>, the 256 <0xNN> byte tokens, then pieces
    trained with "▁" marking word starts. Only Latin letters and kana are trained, so kanji,
    Greek, Cyrillic, Hangul and emoji need byte fallback."""
    pre = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    vocab, merges = train(pre, 1000, special_tokens=["<unk>", "<s>", "</s>"],
                          keep_character=lambda c: ord(c) < 0x250 or 0x3040 <= ord(c) < 0x3100)
    pieces = [t for t in sorted(vocab, key=vocab.get) if t not in ("<unk>", "<s>", "</s>")]
    full = {"<unk>": 0, "<s>": 1, "</s>": 2}
    for b in range(256):
        full[f"<0x{b:02X}>"] = len(full)
    for t in pieces:
        full[t] = len(full)
    tokens = [added(0, "<unk>"), added(1, "<s>"), added(2, "</s>")]
    return full, merges, tokens


def llama2_common(vocab, merges, tokens, normalizer, pre_tokenizer, legacy):
    template = processors.TemplateProcessing(single="<s> $A", pair="<s> $A <s>:1 $B:1",
                                             special_tokens=[("<s>", 1)])
    decoder = decoders.Sequence([decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse(),
                                 decoders.Strip(" ", 1, 0)])
    data = tokenizer_file(bpe_model(vocab, merges, unk_token="<unk>", fuse_unk=True, byte_fallback=True),
                          tokens, normalizer=normalizer, pre_tokenizer=pre_tokenizer,
                          post_processor=state(template), decoder=state(decoder))
    config = {"tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": 4096, "legacy": legacy,
              "add_bos_token": True, "add_eos_token": False, "clean_up_tokenization_spaces": False,
              "bos_token": {"__type": "AddedToken", "content": "<s>", "lstrip": False, "normalized": False,
                            "rstrip": False, "single_word": False},
              "eos_token": {"__type": "AddedToken", "content": "</s>", "lstrip": False, "normalized": False,
                            "rstrip": False, "single_word": False},
              "unk_token": {"__type": "AddedToken", "content": "<unk>", "lstrip": False, "normalized": False,
                            "rstrip": False, "single_word": False},
              "pad_token": None, "added_tokens_decoder": added_tokens_decoder(tokens)}
    return data, config


def family_llama2_legacy():
    """Llama 2 as its tokenizer.json ships (legacy): Prepend("▁") + Replace(" ", "▁") normalizer,
    no pre-tokenizer (a whole segment is one BPE word), byte_fallback, <s> template, decoder
    Replace/ByteFallback/Fuse/Strip. Also has the older special_tokens_map.json."""
    vocab, merges, tokens = llama2_vocab()
    normalizer = normalizers.Sequence([normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")])
    data, config = llama2_common(vocab, merges, tokens, state(normalizer), None, legacy=True)
    special_map = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"}
    return data, config, special_map, {}


def family_llama2():
    """Llama 2 non-legacy (what transformers builds with legacy=False): no normalizer,
    Metaspace(prepend_scheme="first", split=false); config legacy=false."""
    vocab, merges, tokens = llama2_vocab()
    pre = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="first", split=False)
    data, config = llama2_common(vocab, merges, tokens, None, state(pre), legacy=False)
    return data, config, None, {}


def misc_vocab():
    pre = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    norm = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase()])
    return train(pre, 400, special_tokens=["<unk>", "<s>", "</s>", "<pad>", "[MASK]"], normalizer=norm,
                 keep_character=lambda c: c.lower() in "abcdefghijklmnopqrstuvwxyz0123456789 .,'-", unk_token="<unk>")


def family_misc_metaspace():
    """Not a real family: NFKC+Lowercase+Strip, WhitespaceSplit, Punctuation, then Metaspace(always,
    split) (which then prepends "▁" to every piece), unk
    without byte fallback (fuse_unk=false), added tokens with lstrip / rstrip / single_word /
    normalized, RobertaProcessing, Metaspace decoder."""
    vocab, merges = misc_vocab()
    norm = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase(), normalizers.Strip()])
    pre = pre_tokenizers.Sequence([pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Punctuation(),
                                   pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)])
    n = len(vocab)
    tokens = [added(vocab[t], t) for t in ("<unk>", "<s>", "</s>", "<pad>")]
    tokens.append(added(vocab["[MASK]"], "[MASK]", lstrip=True))
    tokens.append(added(n, "<sep>", special=False, normalized=False, rstrip=True))
    tokens.append(added(n + 1, "Hello", special=False, normalized=True, single_word=True))
    post = processors.RobertaProcessing(("</s>", vocab["</s>"]), ("<s>", vocab["<s>"]))
    data = tokenizer_file(bpe_model(vocab, merges, unk_token="<unk>", fuse_unk=False), tokens,
                          normalizer=state(norm), pre_tokenizer=state(pre), post_processor=state(post),
                          decoder=state(decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)))
    return data, None, None, {}


def family_misc_split():
    """Not a real family: Split with every behaviour (string and regex patterns, invert), a
    regex Replace normalizer, fused unk, BertProcessing, and no decoder (tokens joined by spaces)."""
    vocab, merges = misc_vocab()
    pre = pre_tokenizers.Sequence([
        pre_tokenizers.Split("|", behavior="removed"),
        pre_tokenizers.Split("-", behavior="merged_with_previous"),
        pre_tokenizers.Split("=", behavior="merged_with_next"),
        pre_tokenizers.Split(Regex(r"[^\s]+"), behavior="removed", invert=True),
        pre_tokenizers.Split(Regex(r"\d"), behavior="contiguous"),
    ])
    norm = normalizers.Replace(Regex(r"\s{2,}"), " ")
    tokens = [added(vocab[t], t) for t in ("<unk>", "<s>", "</s>", "<pad>", "[MASK]")]
    post = processors.BertProcessing(("</s>", vocab["</s>"]), ("<s>", vocab["<s>"]))
    data = tokenizer_file(bpe_model(vocab, merges, unk_token="<unk>", fuse_unk=True), tokens,
                          normalizer=state(norm), pre_tokenizer=state(pre), post_processor=state(post))
    return data, None, None, {}


def family_misc_suffix():
    """Not a real family: a hand-written BPE with continuing_subword_prefix "##" and
    end_of_word_suffix "</w>", NFD+Lowercase, the Whitespace pre-tokenizer, [UNK] not fused,
    a Bert-style [CLS]/[SEP] template and the BPEDecoder (suffix back to spaces)."""
    chars = "abcdefghijklmnopqrstuvwxyz0123456789"
    vocab = {"[UNK]": 0, "[CLS]": 1, "[SEP]": 2}
    for c in chars:
        vocab[c] = len(vocab)
        vocab["##" + c] = len(vocab)
        vocab[c + "</w>"] = len(vocab)
        vocab["##" + c + "</w>"] = len(vocab)
    for c in ".,!?'":
        vocab[c + "</w>"] = len(vocab)
    merges = []

    def merge(a, b):
        new = a + b[2:] if b.startswith("##") else a + b
        merges.append((a, b))
        vocab.setdefault(new, len(vocab))

    for a, b in [("t", "##h"), ("th", "##e</w>"), ("h", "##e"), ("he", "##l"), ("hel", "##l"),
                 ("hell", "##o</w>"), ("w", "##o"), ("wo", "##r"), ("wor", "##l"), ("worl", "##d</w>"),
                 ("a", "##n"), ("an", "##d</w>"), ("i", "##s</w>"), ("th", "##e"), ("the", "##r"),
                 ("ther", "##e</w>"), ("i", "##n</w>"), ("t", "##o</w>"), ("o", "##f</w>")]:
        merge(a, b)
    tokens = [added(0, "[UNK]"), added(1, "[CLS]"), added(2, "[SEP]")]
    template = processors.TemplateProcessing(single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
                                             special_tokens=[("[CLS]", 1), ("[SEP]", 2)])
    norm = normalizers.Sequence([normalizers.NFD(), normalizers.Lowercase()])
    data = tokenizer_file(bpe_model(vocab, merges, unk_token="[UNK]", prefix="##", suffix="</w>"), tokens,
                          normalizer=state(norm), pre_tokenizer=state(pre_tokenizers.Whitespace()),
                          post_processor=state(template), decoder=state(decoders.BPEDecoder(suffix="</w>")))
    return data, None, None, {"indent": 1}


FAMILIES = {
    "gpt2": family_gpt2,
    "smollm": family_smollm,
    "llama3": family_llama3,
    "qwen2": family_qwen2,
    "llama2-legacy": family_llama2_legacy,
    "llama2": family_llama2,
    "misc-metaspace": family_misc_metaspace,
    "misc-split": family_misc_split,
    "misc-suffix": family_misc_suffix,
}

# Strings with each family's own added tokens in them (inside text, adjacent, spaced, repeated).
FAMILY_STRINGS = {
    "gpt2": ["text<|endoftext|>more", "<|endoftext|><|endoftext|>", " <|endoftext|> spaced "],
    "smollm": ["<|im_start|>user\nHi there<|im_end|>\n", "a<|im_start|>b", "<|im_start|><|im_end|>",
               "  <|im_start|>  spaced  <|im_end|>  ", "<|endoftext|>", "<|im_start|assistant"],
    "llama3": ["<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHello<|eot_id|>",
               "Hello<|eot_id|>world", "<|eot_id|><|eot_id|>", " <|eot_id|> ", "<|reserved_special_token_3|>x",
               "supercalifragilisticexpialidocious", " supercalifragilisticexpialidocious!"],
    "qwen2": ["<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n", "text<|endoftext|>more",
              "a<|im_start|>b", "  <|im_start|>  spaced  <|im_end|>  ", "<|im_end|"],
    "llama2-legacy": ["<s>Hello</s>", "Hello</s>world", " <s> spaced </s> ", "<unk>", "</s></s>", "a<s>b"],
    "llama2": ["<s>Hello</s>", "Hello</s>world", " <s> spaced </s> ", "<unk>", "</s></s>", "a<s>b",
               "</s>USER: hi"],
    "misc-metaspace": ["[MASK] and   [MASK]", "x<sep>   y", "<sep>", "Hello world, HELLO!", "Hellothere",
                       "  padded  ", "a.b,c!d?", "<s>start</s>", "ﬁne ①"],
    "misc-split": ["a-b-c", "x=y==z", "a|b||c", "12 34 5a6", "-=|", "dash- =eq |pipe",
                   "  spaces  and\ttabs  "],
    "misc-suffix": ["hello world", "the there is in", "Hello, World!", "café", "tothe", "a b c", "x"],
}


# ----------------------------------------------------------------------------------------------
# Writing


def write_json(path, data, indent=None, ensure_ascii=False):
    if indent is None:
        text = json.dumps(data, ensure_ascii=ensure_ascii, separators=(",", ":"))
    else:
        text = json.dumps(data, ensure_ascii=ensure_ascii, indent=indent)
    path.write_text(text, encoding="utf-8")


def build_family(name, builder):
    data, config, special_map, style = builder()
    folder = OUT / name
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.iterdir():
        stale.unlink()
    Tokenizer.from_str(json.dumps(data))  # HF must accept exactly what is written
    write_json(folder / "tokenizer.json", data, indent=style.get("indent"), ensure_ascii=style.get("ensure_ascii", False))
    if config is not None:
        write_json(folder / "tokenizer_config.json", config, indent=2)
    if special_map is not None:
        write_json(folder / "special_tokens_map.json", special_map, indent=2)
    return folder


def load_transformers(folder):
    if (folder / "tokenizer_config.json").exists():
        tok = AutoTokenizer.from_pretrained(str(folder))
    else:  # no config: transformers' generic fast tokenizer over tokenizer.json alone
        tok = PreTrainedTokenizerFast(tokenizer_file=str(folder / "tokenizer.json"))
    kind = type(tok).__name__
    assert kind in ("TokenizersBackend", "PreTrainedTokenizerFast"), f"{folder}: {kind} rebuilds the pipeline"
    return tok


def make_goldens(name, folder, extra_strings):
    """Encodings (tokenizers, with and without special tokens; transformers' tokenizer(text))
    and decodings (transformers' decode, with and without skip_special_tokens)."""
    raw = (folder / "tokenizer.json").read_bytes()
    tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
    hf = load_transformers(folder)
    golden = {
        "tokenizer": name,
        "sha256": hashlib.sha256(raw).hexdigest(),
        "vocab_size": tok.get_vocab_size(with_added_tokens=True),
        "vocab_size_without_added": tok.get_vocab_size(with_added_tokens=False),
        "bos_token_id": hf.bos_token_id, "eos_token_id": hf.eos_token_id,
        "pad_token_id": hf.pad_token_id, "unk_token_id": hf.unk_token_id,
        "encode": [], "decode": [], "lookups": [],
    }
    for text in TEST_STRINGS + extra_strings:
        ids = tok.encode(text).ids
        entry = {"text": text, "ids": ids, "ids_no_special": tok.encode(text, add_special_tokens=False).ids,
                 "transformers_ids": hf(text).input_ids,
                 "decoded": hf.decode(ids, skip_special_tokens=False),
                 "decoded_skip_special": hf.decode(ids, skip_special_tokens=True)}
        plain = tok.decode(ids, skip_special_tokens=False)
        if plain != entry["decoded"]:
            entry["tokenizers_decoded"] = plain
        golden["encode"].append(entry)
    # Decoding arbitrary id lists: invalid UTF-8 from lone bytes, ids past the vocab, specials.
    rng = random.Random(f"decode-{name}")
    size = tok.get_vocab_size(with_added_tokens=True)
    id_lists = [[rng.randrange(size + 3) for _ in range(rng.randrange(1, 12))] for _ in range(12)]
    vocab = tok.get_vocab(with_added_tokens=True)
    byte_ids = [vocab[t] for t in ("<0xE6>", "<0x97>", "<0xA5>", "<0x41>", "<0x0A>") if t in vocab]
    if byte_ids:
        e6, x97, xa5, x41, x0a = byte_ids
        id_lists += [[e6], [e6, x97], [e6, x97, xa5], [x41, e6, x0a], [e6, x41, x97, xa5]]
    for ids in id_lists:
        for skip in (False, True):
            entry = {"ids": ids, "skip_special": skip, "text": hf.decode(ids, skip_special_tokens=skip)}
            plain = tok.decode(ids, skip_special_tokens=skip)
            if plain != entry["text"]:
                entry["tokenizers_text"] = plain
            golden["decode"].append(entry)
    for token_id in sorted(rng.sample(range(size), min(25, size))):
        golden["lookups"].append({"id": token_id, "token": tok.id_to_token(token_id)})
    write_json(OUT / f"{name}.golden.json", golden, indent=None)
    return hf


# ----------------------------------------------------------------------------------------------
# LLaVA conversation references, reimplemented from reading haotian-liu/LLaVA (llava/train/train.py,
# llava/mm_utils.py, llava/conversation.py) and LLaVA-VL/LLaVA-NeXT (llava/train/train.py,
# llava/conversation.py). Quirks that are kept on purpose are marked QUIRK.

IGNORE_INDEX = -100
MEDIA_IDS = {"<image>": -200, "<video>": -201}
VICUNA_SYSTEM = ("A chat between a curious user and an artificial intelligence assistant. "
                 "The assistant gives helpful, detailed, and polite answers to the user's questions.")
LLAMA3_SYSTEM = ("You are a helpful language and vision assistant. You are able to understand the visual "
                 "content that the user provides, and assist the user with a variety of tasks using natural language.")
CHATML_SYSTEM = "You are a helpful assistant."


def split_media(text):
    parts = re.split(r"(<image>|<video>)", text)
    return parts[0::2], parts[1::2]


def tokenizer_image_token(prompt, tok):
    """mm_utils.tokenizer_image_token, extended from <image> to <video>: each chunk between tags is
    tokenized on its own WITH special tokens. QUIRK: when the first chunk starts with the BOS id,
    that BOS is kept once and the first token of *every* chunk is dropped (offset 1)."""
    chunks, tags = split_media(prompt)
    encoded = [tok(chunk).input_ids for chunk in chunks]
    offset, ids = 0, []
    if encoded and encoded[0] and encoded[0][0] == tok.bos_token_id:
        offset = 1
        ids.append(encoded[0][0])
    for i, chunk in enumerate(encoded):
        if i > 0:
            ids.append(MEDIA_IDS[tags[i - 1]])
        ids.extend(chunk[offset:])
    return ids


def python_slice_mask(target, start, stop):
    """torch's target[start:stop] = IGNORE_INDEX (Python slice rules: negatives wrap, clamped)."""
    for k in range(*slice(start, stop).indices(len(target))):
        target[k] = IGNORE_INDEX


def move_single_image_to_front(value):
    """preprocess_multimodal: a turn with one <image> tag loses the tag, is stripped, and becomes
    "<image>\\n" + text (then stripped again). LLaVA 1.5 does this for several tags too (collapsing
    them into one); like LLaVA-NeXT we leave turns with several tags as they are."""
    if value.count("<image>") != 1:
        return value
    return ("<image>\n" + value.replace("<image>", "").strip()).strip()


class Unencodable(Exception):
    pass


def prepare(conversation):
    """(system text or None, turns): an optional leading system turn is taken out; QUIRK (LLaVA):
    a first remaining turn that is not from the human is dropped; the rest must alternate."""
    turns = list(conversation)
    system = None
    if turns and turns[0]["from"] == "system":
        system = turns[0]["value"]
        turns = turns[1:]
    if turns and turns[0]["from"] != "human":
        turns = turns[1:]
    for j, turn in enumerate(turns):
        if turn["from"] != ("human", "gpt")[j % 2]:
            raise Unencodable("turns do not alternate")
    if not any(t["from"] == "gpt" for t in turns):
        raise Unencodable("no assistant turn")
    return system, [dict(t, value=move_single_image_to_front(t["value"])) for t in turns]


def vicuna_prompt(system, turns, generation=False):
    """Conversation.get_prompt with SeparatorStyle.TWO (sep " ", sep2 "</s>"). QUIRK: an empty
    message renders as "ROLE:" with no separator after it."""
    messages = [(("USER", "ASSISTANT")[i % 2], t["value"]) for i, t in enumerate(turns)]
    if generation:
        messages.append(("ASSISTANT", None))
    seps = (" ", "</s>")
    text = system + seps[0]
    for i, (role, message) in enumerate(messages):
        text += f"{role}: {message}{seps[i % 2]}" if message else f"{role}:"
    return text


def preprocess_v1(conversation, tok, legacy):
    """train.preprocess_v1. QUIRKS kept: labels are found by re-tokenizing each round (split on
    "</s>") and its instruction (split on " ASSISTANT: ") separately; the instruction length is
    taken as len - 2 (BOS and the "▁" a trailing space becomes in a Llama tokenizer); with a
    non-legacy tokenizer every round after the first is one token shorter; the first token is
    always masked; when the summed round lengths differ from the number of non-pad tokens (pad is
    unk in LLaVA) the whole sample is masked ("tokenization mismatch")."""
    system, turns = prepare(conversation)
    text = vicuna_prompt(system if system is not None else VICUNA_SYSTEM, turns)
    input_ids = tokenizer_image_token(text, tok)
    target = list(input_ids)
    pad = tok.unk_token_id
    total_len = sum(1 for t in target if t != pad) if pad is not None else len(target)
    sep = " ASSISTANT: "
    cur_len = 1
    python_slice_mask(target, 0, cur_len)
    for i, rou in enumerate(text.split("</s>")):
        if rou == "":
            break
        parts = rou.split(sep)
        if len(parts) != 2:
            break
        parts[0] += sep
        round_len = len(tokenizer_image_token(rou, tok))
        instruction_len = len(tokenizer_image_token(parts[0], tok)) - 2
        if i != 0 and not legacy:
            round_len -= 1
            instruction_len -= 1
        python_slice_mask(target, cur_len, cur_len + instruction_len)
        cur_len += round_len
    python_slice_mask(target, cur_len, None)
    mismatch = [cur_len, total_len] if cur_len != total_len else None
    if mismatch:
        target = [IGNORE_INDEX] * len(target)
    # An image/video position never takes a loss (LLaVA's model replaces their labels when it
    # splices in the features), so the labels here say -100 there too.
    target = [IGNORE_INDEX if i < 0 else t for i, t in zip(input_ids, target)]
    prompt_turns = turns[:-1] if turns[-1]["from"] == "gpt" else turns
    prompt = vicuna_prompt(system if system is not None else VICUNA_SYSTEM, prompt_turns, generation=True)
    return input_ids, target, mismatch, prompt, tokenizer_image_token(prompt, tok)


def preprocess_plain(conversation, tok):
    """train.preprocess_plain: QUIRK: the human turn is replaced by a single "<image>" (its text
    and any further tags are dropped); input = image + caption + "\\n", only caption and "\\n"
    trained."""
    turns = [t for t in conversation if t["from"] != "system"]
    if len(turns) != 2 or "<image>" not in turns[0]["value"] or turns[1]["from"] != "gpt":
        raise Unencodable("plain needs an image turn and a caption")
    ids = tokenizer_image_token("<image>" + turns[1]["value"] + "\n", tok)
    masked = len(tokenizer_image_token("<image>", tok))
    labels = [IGNORE_INDEX if i < 0 else i for i in [IGNORE_INDEX] * masked + ids[masked:]]
    return ids, labels, None, "<image>", tokenizer_image_token("<image>", tok)


def chat_segments(template, system, turns, generation=False):
    """(text, trained) pieces of the llama3 / chatml formats: each assistant answer and its end
    token are trained; BOS, headers, system, user turns and separators are not."""
    segments = []
    if template == "llama3":
        segments.append(("<|begin_of_text|>", False))

    def block(role, content, trained):
        if template == "llama3":
            segments.extend([(f"<|start_header_id|>{role}<|end_header_id|>\n\n", False),
                             (content.strip(), trained), ("<|eot_id|>", trained)])
        else:
            segments.extend([(f"<|im_start|>{role}\n", False), (content, trained),
                             ("<|im_end|>", trained), ("\n", False)])

    default = LLAMA3_SYSTEM if template == "llama3" else CHATML_SYSTEM
    block("system", system if system is not None else default, False)
    for i, turn in enumerate(turns):
        block(("user", "assistant")[i % 2], turn["value"], i % 2 == 1)
    if generation:
        header = "<|start_header_id|>assistant<|end_header_id|>\n\n" if template == "llama3" else "<|im_start|>assistant\n"
        segments.append((header, False))
    return segments


def encode_segments(segments, tok):
    """Tokenizes the joined text once (no special tokens added; <image>/<video> made special
    tokens as LLaVA-NeXT does) and trains the tokens that start inside a trained piece."""
    text, spans, pos = "", [], 0
    for piece, trained in segments:
        if trained:
            spans.append((pos, pos + len(piece)))
        text += piece
        pos += len(piece)
    media = copy.deepcopy(tok)
    media.add_tokens(["<image>", "<video>"], special_tokens=True)
    media_ids = {media.convert_tokens_to_ids(tag): value for tag, value in MEDIA_IDS.items()}
    enc = media(text, add_special_tokens=False, return_offsets_mapping=True)
    ids, labels = [], []
    for token_id, (start, _) in zip(enc.input_ids, enc.offset_mapping):
        if token_id in media_ids:
            ids.append(media_ids[token_id])
            labels.append(IGNORE_INDEX)
            continue
        ids.append(token_id)
        labels.append(token_id if any(a <= start < b for a, b in spans) else IGNORE_INDEX)
    return ids, labels, text


def preprocess_chat(conversation, tok, template):
    system, turns = prepare(conversation)
    ids, labels, _ = encode_segments(chat_segments(template, system, turns), tok)
    prompt_turns = turns[:-1] if turns[-1]["from"] == "gpt" else turns
    prompt_ids, _, prompt = encode_segments(chat_segments(template, system, prompt_turns, generation=True), tok)
    # The prompt must be what the model's own chat template renders.
    default = LLAMA3_SYSTEM if template == "llama3" else CHATML_SYSTEM
    messages = [{"role": "system", "content": system if system is not None else default}]
    messages += [{"role": ("user", "assistant")[i % 2], "content": t["value"]} for i, t in enumerate(prompt_turns)]
    rendered = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    assert rendered == prompt, (rendered, prompt)
    return ids, labels, None, prompt, prompt_ids


TEMPLATE_TOKENIZERS = {
    "plain": ["gpt2", "smollm", "llama3", "qwen2", "llama2-legacy", "llama2"],
    "vicuna_v1": ["llama2-legacy", "llama2", "gpt2"],
    "llama3": ["llama3"],
    "chatml": ["qwen2", "smollm"],
}


def make_conversation_goldens(hf_tokenizers):
    cases = []
    for template, names in TEMPLATE_TOKENIZERS.items():
        for name in names:
            tok = hf_tokenizers[name]
            config_path = OUT / name / "tokenizer_config.json"
            config = json.loads(config_path.read_text()) if config_path.exists() else {}
            legacy = config.get("legacy", True)
            convs = PLAIN_CONVERSATIONS if template == "plain" else CONVERSATIONS
            for conv_name, conv in convs:
                if template == "plain":
                    result = preprocess_plain(conv, tok)
                elif template == "vicuna_v1":
                    result = preprocess_v1(conv, tok, legacy)
                else:
                    result = preprocess_chat(conv, tok, template)
                ids, labels, mismatch, prompt, prompt_ids = result
                assert len(ids) == len(labels)
                cases.append({"tokenizer": name, "template": template, "name": conv_name, "conversation": conv,
                              "input_ids": ids, "labels": labels, "mismatch": mismatch, "prompt": prompt,
                              "prompt_ids": prompt_ids})
    write_json(OUT / "conversations.golden.json", {"cases": cases}, indent=None)
    return cases


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    hf_tokenizers = {}
    for name, builder in FAMILIES.items():
        folder = build_family(name, builder)
        hf_tokenizers[name] = make_goldens(name, folder, FAMILY_STRINGS.get(name, []))
    cases = make_conversation_goldens(hf_tokenizers)
    write_json(OUT / "corpus.json", {"texts": CORPUS, "vocab_size": 500,
                                     "special_tokens": ["<|endoftext|>", "<|pad|>"]}, indent=1)
    trained = OUT / "swift-trained"
    if (trained / "tokenizer.json").exists():
        make_goldens("swift-trained", trained, ["<|endoftext|>text<|pad|>", "<|endoftext|>"])
    else:
        print("note: run `VLMTUNE_WRITE_FIXTURES=1 swift test ... --filter BPETrainerTests` to write "
              "swift-trained/tokenizer.json, then run this script again", file=sys.stderr)
    total = sum(f.stat().st_size for f in OUT.rglob("*") if f.is_file())
    print(f"wrote {len(FAMILIES)} tokenizers, {len(cases)} conversation cases, {total / 1024:.0f} KiB in {OUT}")


if __name__ == "__main__":
    main()
