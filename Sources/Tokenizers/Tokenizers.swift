// The Tokenizers module: Hugging Face tokenizer.json tokenizers and LLaVA chat templates.
//
// - `Tokenizer` (Tokenizer.swift): loading and the encode/decode entry points. The pipeline
//   follows HF `tokenizers` step by step, in Pipeline/: `AddedVocabulary` splits on added
//   tokens, `Normalizer`, `PreTokenizer` (with `SplitRegex`, hand-written matchers for the
//   GPT-2 / Llama 3 / Qwen2 patterns and ICU for others), `BPEModel` (Model/), `PostProcessor`,
//   `Decoder`. `ComponentParser` reads each component from JSON and refuses unknown types.
// - `TokenizerConfig`: what transformers adds from tokenizer_config.json (special tokens,
//   `legacy`, clean-up of spaces).
// - Chat/: `ConversationEncoder` turns LLaVA `conversations` into `input_ids` + `labels` and
//   builds generation prompts for the `ChatTemplate`s plain, vicuna_v1, llama3 and chatml.
// - Training/: `BPETrainer`, a small byte-level BPE trainer for demos.
// - Support/: a JSON parser with line/column errors, character classes as Rust defines them,
//   and `SHA256` (the Checksums module) for `Tokenizer.sha256`.
//
// All text processing works on Unicode scalars and UTF-8 bytes, never on Swift `Character`s or
// `String` equality, which follow grapheme clusters and canonical equivalence while tokenizers
// compare exact code points.
