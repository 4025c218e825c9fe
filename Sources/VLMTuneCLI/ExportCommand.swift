import ArgumentParser
import Foundation
import Workflows

/// `vlmtune export`: a checkpoint in the formats other tools load (DESIGN.md section 1).
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Hand a checkpoint to other tools: a PEFT adapter, a merged Hugging Face model, or LLaVA's projector file.",
        discussion: """
        --format peft: adapter_config.json + adapter_model.safetensors (PEFT, loads with \
        PeftModel.from_pretrained on the base LLM) and non_lora_trainables.safetensors (the \
        projector, as LLaVA writes it). Needs a checkpoint that trains LoRA.
        --format merged: a Hugging Face folder with the LoRA merged into the weights: \
        LlavaForConditionalGeneration for align/instruct/full (an <image> token is added to \
        the tokenizer when it has none), the LLM for lm-pretrain, the vision tower for clip.
        --format llava-projector: mm_projector.safetensors and a LLaVA-style config.json \
        (mm_projector_type, mm_hidden_size, mm_vision_select_layer, ...).

        --checkpoint takes a step folder or a run folder (its newest checkpoint). The output \
        folder must not exist or be empty; it appears only when complete.

        Example:
          vlmtune export --checkpoint Checkpoints/demo/runs/stage2 --format merged --out /tmp/llava-shapes
        """)

    @Option(help: "A checkpoint (step folder) or a run folder.") var checkpoint: String
    @Option(help: "peft, merged or llava-projector.") var format: String
    @Option(help: "Output folder (new or empty).") var out: String

    func run() throws {
        try reportingErrors {
            guard let f = CheckpointExport.Format(rawValue: format) else {
                throw CLIError("unknown --format \(format) (peft, merged, llava-projector)")
            }
            let result = try CheckpointExport.run(checkpoint: checkpoint, format: f, out: out)
            for n in result.notes { printError("note: \(n)") }
            print("exported \(result.checkpoint) as \(format) to \(out): \(result.files.joined(separator: ", "))")
        }
    }
}
