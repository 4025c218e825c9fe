import ArgumentParser
import Foundation
import Formats
import Layers
import Models
import Tensors

/// `vlmtune logits`: a reference forward pass for parity checks against transformers.
struct Logits: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a Hugging Face model folder on inputs from a safetensors file and write its outputs (parity checks).",
        discussion: """
        Families: llama, qwen2 (logits [B,T,V], and loss with labels), clip_vision_model and \
        siglip_vision_model (last_hidden_state [B,N,D], hidden_states [L+1,B,N,D]), llava \
        (input_ids holding the image token once per image feature). Computation is f32; bf16/f16 \
        weights are used as stored.
        """)

    @Option(help: "Hugging Face model folder (config.json + model.safetensors or a sharded index).")
    var model: String

    @Option(help: "PEFT LoRA adapter folder applied to the language model.")
    var adapter: String?

    @Option(help: "Inputs: input_ids [B,T] (I64/I32), optional pixel_values [B,3,H,W] (F32), optional labels [B,T] (I64, -100 ignored).")
    var input: String

    @Option(help: "Where to write the outputs (F32 safetensors).")
    var output: String

    @Flag(help: "With labels and an adapter: also write d loss / d (every LoRA tensor), under its PEFT key.")
    var gradAdapter = false

    func run() throws {
        try reportingErrors {
            let inputs = try SafeTensors.read(input)
            let loaded = try ModelLoader.load(folder: model)
            var outputs: [String: Tensor] = [:]
            let ids = inputs["input_ids"], pixels = inputs["pixel_values"], labels = inputs["labels"]
            if let ids, ids.rank != 2 { throw CLIError("input_ids must be [B,T], got \(ids.shape)", at: input) }
            if let labels, labels.shape != ids?.shape { throw CLIError("labels must have the shape of input_ids \(ids?.shape ?? [])", at: input) }
            if gradAdapter && (adapter == nil || labels == nil) {
                throw CLIError("--grad-adapter needs --adapter and labels in the input", at: input)
            }
            switch loaded {
            case .vision(let tower):
                if adapter != nil { throw CLIError("--adapter applies to language models and llava, not a vision tower", at: model) }
                guard let pixels else { throw CLIError("a vision model needs pixel_values", at: input) }
                try noGrad {
                    let states = try tower.hiddenStates(pixels)
                    outputs["last_hidden_state"] = try tower.lastHiddenState(from: states)
                    outputs["hidden_states"] = try Tensor.stack(states, dim: 0)
                }
            case .causalLM(let lm):
                guard let ids else { throw CLIError("a language model needs input_ids", at: input) }
                let settings = try adapter.map { try PEFT.load(folder: $0, into: lm) }
                try forward(lm, settings: settings, moduleName: { $0 }, outputs: &outputs) {
                    try lm.logits(lm.hiddenStates(inputsEmbeds: lm.embed(ids)))
                } labels: { labels }
            case .llava(let m, let layout):
                guard let ids else { throw CLIError("a llava model needs input_ids", at: input) }
                let scope = { (name: String) in name.hasPrefix("model.language_model.") || name.hasPrefix("language_model.") }
                let settings = try adapter.map { try PEFT.load(folder: $0, into: m, moduleName: layout.checkpointKey, scope: scope) }
                try forward(m, settings: settings, moduleName: layout.checkpointKey, outputs: &outputs) {
                    try m.logits(ids: ids, pixels: pixels)
                } labels: { labels }
            }
            try SafeTensors.write(outputs, to: output)
        }
    }

    /// Logits (and loss, and adapter gradients) of a language model forward.
    func forward(_ root: Module, settings: LoRASettings?, moduleName: @escaping (String) -> String,
                 outputs: inout [String: Tensor], _ logits: () throws -> Tensor, labels: () -> Tensor?) throws {
        if gradAdapter {
            root.setTrainable(true, .lora)
            let out = try logits()
            outputs["logits"] = out
            let loss = try LlamaForCausalLM.shiftedLoss(logits: out, labels: labels()!)
            outputs["loss"] = loss.detached()
            try loss.backward()
            for (k, t) in root.namedParameters(.lora) {
                outputs[PEFT.adapterKey(k, moduleName: moduleName)] = t.grad ?? Tensor.zeros(t.shape)
            }
        } else {
            try noGrad {
                let out = try logits()
                outputs["logits"] = out
                if let l = labels() { outputs["loss"] = try LlamaForCausalLM.shiftedLoss(logits: out, labels: l) }
            }
        }
    }
}
