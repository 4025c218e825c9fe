/// Every recipe key: its type, default and meaning. This table is the one place defaults are
/// written; the loader validates against it, the typed `Recipe` reads from it, and
/// docs/RECIPES.md is generated from it (`vlmtune recipe keys`).
public enum RecipeType: Equatable {
    case string, int, double, bool
    case strings
    case doubles
    /// A free-form mapping (inline `config.json` fields).
    case object
    case choice([String])

    var name: String {
        switch self {
        case .string: return "string"
        case .int: return "integer"
        case .double: return "number"
        case .bool: return "boolean"
        case .strings: return "list of strings"
        case .doubles: return "list of numbers"
        case .object: return "mapping"
        case .choice(let c): return c.joined(separator: " | ")
        }
    }
}

public struct RecipeKey {
    public let path: String
    public let type: RecipeType
    public let defaultValue: RecipeValue
    public let doc: String
}

public enum RecipeSchema {
    static func key(_ path: String, _ type: RecipeType, _ def: RecipeValue, _ doc: String) -> RecipeKey {
        RecipeKey(path: path, type: type, defaultValue: def, doc: doc)
    }

    public static let stages = ["lm-pretrain", "clip", "align", "instruct", "full"]
    public static let defaultLoRATargets: RecipeValue = .list(["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"].map { .string($0) })

    public static let keys: [RecipeKey] = [
        // Top level
        key("name", .string, .null, "Run name; the run folder is `Checkpoints/<name>/`. Default: the recipe file's name without extension."),
        key("extends", .string, .null, "Another recipe (path relative to this file) whose keys this one overrides."),
        key("stage", .choice(stages), .null, "What to train (required). `align`: stage 1, projector only, frozen tower and LLM. `instruct`: stage 2, LoRA on the LLM plus the projector. `full`: the projector and the whole LLM. `lm-pretrain`: a text-only causal LM. `clip`: a vision tower and a text encoder, contrastively."),
        key("seed", .int, .int(42), "Seed of every random choice: initialisation, data order, dropout."),

        // Model
        key("model.vision.path", .string, .null, "Hugging Face folder of the vision tower (CLIP or SigLIP; a full CLIP/SigLIP checkpoint works too)."),
        key("model.vision.config", .object, .null, "Inline `config.json` fields for a randomly initialised tower (instead of `path`)."),
        key("model.vision.select_layer", .int, .int(-2), "Hidden state fed to the projector (negative counts from the end; -2 is LLaVA-1.5's penultimate layer)."),
        key("model.vision.select_feature", .choice(["patch", "cls_patch"]), .string("patch"), "`patch` drops the class token, `cls_patch` keeps it."),
        key("model.vision.freeze", .bool, .null, "Freeze the tower. Default: frozen in every stage but `clip`."),
        key("model.llm.path", .string, .null, "Hugging Face folder of the language model (Llama family or Qwen2)."),
        key("model.llm.config", .object, .null, "Inline `config.json` fields for a randomly initialised LLM (instead of `path`). Initialised as transformers does: every matrix, embeddings included, normal(0, `initializer_range`) (default 0.02), biases zero."),
        key("model.llm.freeze", .bool, .null, "Freeze the LLM's own weights. Default: frozen in `align` and `instruct` (LoRA trains there), trained in `full` and `lm-pretrain`."),
        key("model.llm.dtype", .choice(["float32", "bfloat16"]), .string("float32"), "Storage type of frozen LLM weights (bf16 halves their memory; compute stays f32)."),
        key("model.projector.type", .string, .string("mlp2x_gelu"), "`linear` or `mlp<N>x_gelu`, as LLaVA's `mm_projector_type`."),
        key("model.projector.path", .string, .null, "Start from these projector weights: a stage 1 checkpoint folder or its `mm_projector.safetensors`."),
        key("model.lora.r", .int, .int(0), "LoRA rank on the LLM's linear layers (0: no LoRA). Required (> 0) by `instruct`."),
        key("model.lora.alpha", .double, .double(16), "LoRA alpha; the update is scaled by alpha / r (alpha / sqrt(r) with rsLoRA)."),
        key("model.lora.dropout", .double, .double(0.05), "Dropout on the LoRA branch's input while training."),
        key("model.lora.targets", .strings, defaultLoRATargets, "LLM module names that get adapters (PEFT `target_modules`)."),
        key("model.lora.rslora", .bool, .bool(false), "Rank-stabilised LoRA scaling."),
        key("model.lora.path", .string, .null, "Start from this PEFT adapter folder."),
        key("model.text.config", .object, .null, "`clip` stage only: inline config of the text encoder (hidden_size, num_hidden_layers, num_attention_heads, intermediate_size)."),
        key("model.text.projection_dim", .int, .int(64), "`clip` stage only: width of the shared image-text embedding space."),
        key("model.tokenizer", .string, .null, "Folder with `tokenizer.json`. Default: `model.llm.path`."),

        // Data
        key("data.train", .string, .null, "Training shard folder (made by `vlmtune data convert`)."),
        key("data.eval", .string, .null, "Shard folder for validation loss and perplexity."),
        key("data.max_length", .int, .int(2048), "Longest sequence after image features are spliced in; longer samples are truncated (never inside an image)."),
        key("data.loss_on", .choice(["all", "labels"]), .null, "Tokens the loss is taken on in `lm-pretrain`: `all` (causal-LM pretraining, the default there) or `labels` (the shard's labels: only assistant answers under a chat template, as instruction tuning takes them). Other stages always use the labels."),
        key("data.group_by_modality_length", .bool, .bool(false), "LLaVA's sampler: batches of only multimodal or only text samples, grouped by length."),
        key("data.shuffle", .bool, .bool(true), "Shuffle every epoch (a pure function of seed and epoch)."),
        key("data.prefetch", .int, .int(4), "Micro-batches prepared ahead on a background thread."),

        // Optimiser
        key("optim.name", .choice(["adamw"]), .string("adamw"), "The optimiser (AdamW with decoupled weight decay)."),
        key("optim.lr", .double, .double(2e-4), "Peak learning rate."),
        key("optim.projector_lr", .double, .null, "Learning rate of the projector (LLaVA's `mm_projector_lr`). Default: `optim.lr`."),
        key("optim.weight_decay", .double, .double(0), "Decoupled weight decay, applied to matrices only (not to biases or norm weights)."),
        key("optim.betas", .doubles, .list([.double(0.9), .double(0.999)]), "AdamW beta1, beta2."),
        key("optim.eps", .double, .double(1e-8), "AdamW epsilon."),
        key("optim.grad_clip", .double, .double(1.0), "Clip the global gradient norm to this (0: no clipping)."),

        // Schedule
        key("schedule.type", .choice(["cosine", "linear", "constant"]), .string("cosine"), "Learning-rate decay after warmup."),
        key("schedule.warmup_ratio", .double, .double(0.03), "Linear warmup over this fraction of the steps."),
        key("schedule.warmup_steps", .int, .null, "Warmup steps (overrides `warmup_ratio`)."),
        key("schedule.min_lr_ratio", .double, .double(0), "Final learning rate as a fraction of the peak (cosine and linear)."),

        // Training loop
        key("train.epochs", .double, .double(1), "Passes over the training data (fractions allowed)."),
        key("train.max_steps", .int, .null, "Optimiser steps (overrides `epochs`)."),
        key("train.global_batch", .int, .int(128), "Samples per optimiser step; reached by gradient accumulation."),
        key("train.micro_batch", .int, .int(4), "Samples per forward/backward pass."),
        key("train.gradient_checkpointing", .bool, .bool(false), "Recompute each LLM block in the backward pass instead of keeping its activations."),
        key("train.max_nonfinite_steps", .int, .int(5), "A step with a NaN/Inf loss or gradient is skipped and counted; this many in a row stop the run."),

        // Checkpoints
        key("checkpoint.dir", .string, .null, "Run folder. Default: `Checkpoints/<name>`."),
        key("checkpoint.every", .int, .int(500), "Save every this many steps (0: only at the end)."),
        key("checkpoint.keep_last", .int, .int(3), "Keep this many step checkpoints (older ones are deleted)."),

        // Evaluation during training
        key("eval.sets", .strings, .list([]), "Eval JSONL files scored at the end of training (and every `eval.every` steps)."),
        key("eval.images", .string, .null, "Folder that eval image paths are relative to. Default: each JSONL file's folder."),
        key("eval.every", .int, .int(0), "Score the eval sets every this many steps (0: only at the end)."),
        key("eval.max_new_tokens", .int, .int(32), "Longest generated answer."),
        key("eval.limit", .int, .null, "Score at most this many items per set."),

        // Logging
        key("log.every", .int, .int(10), "Write a metrics line every this many steps."),
        key("log.tensorboard", .bool, .bool(true), "Also write TensorBoard event files in the run folder."),
    ]

    public static let byPath: [String: RecipeKey] = Dictionary(uniqueKeysWithValues: keys.map { ($0.path, $0) })

    /// Whether `path` lies inside a free-form (`.object`) key.
    static func objectPrefix(of path: String) -> String? {
        keys.first { $0.type == .object && path.hasPrefix($0.path + ".") }?.path
    }
}

extension RecipeSchema {
    /// docs/RECIPES.md's key table: one row per key, grouped by section.
    public static var markdownTable: String {
        var lines: [String] = []
        var section = ""
        for k in keys {
            let top = k.path.contains(".") ? String(k.path.split(separator: ".")[0]) : "top level"
            if top != section {
                section = top
                lines.append("")
                lines.append("### \(top == "top level" ? "Top level" : "`\(top)`")")
                lines.append("")
                lines.append("| key | type | default | meaning |")
                lines.append("|---|---|---|---|")
            }
            let def: String
            switch k.defaultValue {
            case .null: def = "—"
            default: def = "`\(k.defaultValue.description)`"
            }
            let doc = k.doc.replacingOccurrences(of: "|", with: "\\|")
            lines.append("| `\(k.path)` | \(k.type.name.replacingOccurrences(of: "|", with: "\\|")) | \(def) | \(doc) |")
        }
        return lines.joined(separator: "\n").trimmingCharacters(in: .newlines) + "\n"
    }
}
