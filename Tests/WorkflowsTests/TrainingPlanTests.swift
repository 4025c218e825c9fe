import Foundation
import XCTest
import Layers
import Models
import Training
@testable import Workflows

/// The plan counts parameters from configs alone; they must equal the built modules' counts.
final class TrainingPlanTests: XCTestCase {
    func recipe(_ text: String) throws -> Recipe {
        let dir = try temporaryFolder(self)
        let path = dir + "/r.yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return try RecipeLoader.load(path)
    }

    let llava = """
    stage: instruct
    model:
      vision:
        config: {model_type: clip_vision_model, hidden_size: 16, intermediate_size: 32, num_hidden_layers: 2,
                 num_attention_heads: 2, image_size: 8, patch_size: 4}
      llm:
        config: {vocab_size: 40, hidden_size: 16, intermediate_size: 24, num_hidden_layers: 2,
                 num_attention_heads: 2, num_key_value_heads: 1, tie_word_embeddings: false}
      projector: {type: mlp3x_gelu}
      lora: {r: 4, alpha: 8, targets: [q_proj, v_proj, down_proj]}
    data: {train: /nonexistent/shards, max_length: 32}
    train: {global_batch: 8, micro_batch: 4, max_steps: 10}
    """

    func testLlavaCountsEqualTheBuiltModel() throws {
        let r = try recipe(llava)
        let plan = try TrainingPlan(recipe: r, calibrate: false)
        let (model, _) = try StageSetup.makeLlava(r)
        func part(_ name: String) -> TrainingPlan.Part? { plan.parts.first { $0.name == name } }
        XCTAssertEqual(part("vision tower")?.parameters, model.vision.parameterCount(.base))
        XCTAssertEqual(part("projector")?.parameters, model.projector.parameterCount(.base))
        XCTAssertEqual(part("llm")?.parameters, model.llm.parameterCount(.base))
        XCTAssertEqual(part("lora")?.parameters, model.parameterCount(.lora))
        XCTAssertEqual(plan.trainableParameters, model.trainableParameters().reduce(0) { $0 + $1.1.count })
        XCTAssertEqual(plan.dataMissing, "/nonexistent/shards")
        XCTAssertEqual(plan.totalSteps, 10)
        XCTAssertGreaterThan(plan.flopsPerStep, 0)
        XCTAssertTrue(plan.report.contains("trainable"))
    }

    func testQwenAndSiglipCounts() throws {
        let r = try recipe("""
        stage: align
        model:
          vision:
            config: {model_type: siglip_vision_model, hidden_size: 16, intermediate_size: 32, num_hidden_layers: 3,
                     num_attention_heads: 2, image_size: 8, patch_size: 2}
          llm:
            config: {model_type: qwen2, vocab_size: 50, hidden_size: 16, intermediate_size: 24, num_hidden_layers: 2,
                     num_attention_heads: 4, num_key_value_heads: 2, tie_word_embeddings: true}
          projector: {type: linear}
        data: {train: /nonexistent, max_length: 32}
        """)
        let plan = try TrainingPlan(recipe: r, calibrate: false)
        let (model, _) = try StageSetup.makeLlava(r)
        XCTAssertEqual(plan.totalParameters, model.parameterCount(.base))
        XCTAssertEqual(plan.trainableParameters, model.projector.parameterCount(.base))
    }
}
