import XCTest
@testable import Training

final class RecipeTests: XCTestCase {
    func testDefaultsAndTypedValues() throws {
        let dir = try temporaryFolder(self)
        let r = try RecipeLoader.load(try writeRecipe(tinyLlavaRecipe(stage: "align"), in: dir, name: "stage1.yaml"))
        XCTAssertEqual(r.name, "stage1")
        XCTAssertEqual(r.stage, .align)
        XCTAssertEqual(r.int("train.micro_batch"), 2)
        XCTAssertEqual(r.double("optim.weight_decay"), 0)
        XCTAssertEqual(r.string("schedule.type"), "cosine")
        XCTAssertEqual(r.strings("model.lora.targets").count, 7)
        XCTAssertEqual(r.object("model.llm.config")?["hidden_size"] as? Int, 16)
        XCTAssertEqual(r.origin("optim.lr"), dir + "/stage1.yaml line \(line(of: "lr: 0.01", in: tinyLlavaRecipe(stage: "align")))")
    }

    func assertRecipeError(_ text: String, contains parts: [String], overrides: [String] = [], line: UInt = #line) throws {
        let dir = try temporaryFolder(self)
        let path = try writeRecipe(text, in: dir)
        XCTAssertThrowsError(try RecipeLoader.load(path, overrides: overrides), line: line) { err in
            let s = "\(err)"
            XCTAssertFalse(s.contains("\n"), line: line)
            for p in parts { XCTAssert(s.contains(p), "'\(s)' lacks '\(p)'", line: line) }
        }
    }

    func testTypoedKeyNamesKeyLineAndSuggestion() throws {
        let extra = tinyLlavaRecipe(stage: "align") + "\noptim2:\n  lr: 1\n"
        try assertRecipeError(extra, contains: ["unknown recipe key optim2", "line \(line(of: "optim2", in: extra))"])
        let typo = tinyLlavaRecipe(stage: "align").replacingOccurrences(of: "micro_batch: 2", with: "micro_bach: 2")
        try assertRecipeError(typo, contains: ["unknown recipe key train.micro_bach", "did you mean train.micro_batch?", "line \(line(of: "micro_bach", in: typo))"])
    }

    func testWrongTypesAndValues() throws {
        let bad = tinyLlavaRecipe(stage: "align").replacingOccurrences(of: "max_steps: 6", with: "max_steps: six")
        try assertRecipeError(bad, contains: ["train.max_steps must be an integer, got six", "line \(line(of: "six", in: bad))"])
        try assertRecipeError(tinyLlavaRecipe(stage: "stage2"), contains: ["stage must be one of lm-pretrain, clip, align, instruct, full", "line 1"])
        try assertRecipeError(tinyLlavaRecipe(stage: "instruct"), contains: ["model.lora.r > 0"])
        let section = tinyLlavaRecipe(stage: "align").replacingOccurrences(of: "optim:\n  lr: 0.01", with: "optim: 0.01")
        try assertRecipeError(section, contains: ["optim is a section"])
        try assertRecipeError(tinyLlavaRecipe(stage: "align"), contains: ["global_batch (4) must be a multiple of train.micro_batch (3)"], overrides: ["train.micro_batch=3"])
        try assertRecipeError(tinyLlavaRecipe(stage: "align"), contains: ["unknown recipe key optim.learning_rate", "command line"], overrides: ["optim.learning_rate=1"])
        try assertRecipeError(tinyLlavaRecipe(stage: "align"), contains: ["data.loss_on: all is for stage lm-pretrain", "command line"], overrides: ["data.loss_on=all"])
    }

    func testExtendsAndOverrides() throws {
        let dir = try temporaryFolder(self)
        _ = try writeRecipe(tinyLlavaRecipe(stage: "align"), in: dir, name: "base.yaml")
        let child = try writeRecipe("extends: base.yaml\nstage: instruct\nmodel:\n  lora:\n    r: 4\noptim:\n  lr: 0.002\n", in: dir, name: "child.yaml")
        let r = try RecipeLoader.load(child, overrides: ["train.max_steps=3", "model.llm.config.hidden_size=32", "optim.betas=[0.8, 0.9]"])
        XCTAssertEqual(r.name, "child")
        XCTAssertEqual(r.stage, .instruct)
        XCTAssertEqual(r.int("model.lora.r"), 4)
        XCTAssertEqual(r.double("optim.lr"), 0.002)
        XCTAssertEqual(r.int("train.micro_batch"), 2, "inherited")
        XCTAssertEqual(r.int("train.max_steps"), 3, "override")
        XCTAssertEqual(r.object("model.llm.config")?["hidden_size"] as? Int, 32)
        XCTAssertEqual(r.object("model.llm.config")?["vocab_size"] as? Int, 40, "other inline fields kept")
        XCTAssertEqual(r.doubles("optim.betas"), [0.8, 0.9])
        // the resolved YAML loads back to the same values
        let again = try writeRecipe(r.resolvedYAML, in: dir, name: "resolved.yaml")
        let r2 = try RecipeLoader.load(again)
        for (k, v) in r.resolved { XCTAssertEqual(r2.value(k), v, k) }
        XCTAssertEqual(r2.hash, r.hash)
    }

    func testExtendsCycle() throws {
        let dir = try temporaryFolder(self)
        _ = try writeRecipe("extends: b.yaml\nstage: align\n", in: dir, name: "a.yaml")
        let b = try writeRecipe("extends: a.yaml\n", in: dir, name: "b.yaml")
        XCTAssertThrowsError(try RecipeLoader.load(b)) { XCTAssert("\($0)".contains("extends cycle"), "\($0)") }
    }
}

/// docs/RECIPES.md carries the key table the schema generates, and every shipped recipe loads.
final class RecipeDocsTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    func testRecipesDocListsEveryKeyAsTheSchemaDoes() throws {
        let doc = try String(contentsOfFile: Self.root + "/docs/RECIPES.md", encoding: .utf8)
        XCTAssertTrue(doc.hasSuffix(RecipeSchema.markdownTable), "regenerate the table in docs/RECIPES.md with `vlmtune recipe keys`")
        for k in RecipeSchema.keys { XCTAssertTrue(doc.contains("| `\(k.path)` |"), k.path) }
    }

    func testShippedRecipesLoad() throws {
        let fm = FileManager.default
        let files = (fm.enumerator(atPath: Self.root + "/Recipes")?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".yaml") }
        XCTAssertGreaterThanOrEqual(files.count, 10)
        for f in files {
            XCTAssertNoThrow(try RecipeLoader.load(Self.root + "/Recipes/" + f), f)
        }
    }
}
