import Foundation
import XCTest
import Training
@testable import Workflows

/// A run killed with SIGKILL at an arbitrary step and resumed with `--resume auto` gives the
/// same per-step losses, bit for bit, as a run that was never interrupted. The killed run
/// is a child process: this test binary, running only `testChildTrainsUntilKilled`.
final class KillAndResumeTests: XCTestCase {
    static let recipeVariable = "VLMTUNE_KILL_TEST_RECIPE"

    /// The child's work; skipped unless started by `testSIGKILLedRunResumesExactly`.
    func testChildTrainsUntilKilled() throws {
        guard let path = ProcessInfo.processInfo.environment[Self.recipeVariable] else {
            throw XCTSkip("runs only as the child process of testSIGKILLedRunResumesExactly")
        }
        let r = try RecipeLoader.load(path)
        let session = try TrainingSession(recipe: r, runFolder: r.string("checkpoint.dir")!)
        _ = try session.trainer.run()
    }

    /// Per-step losses of a run folder (a step logged twice, before a kill and after the
    /// resume, keeps its last value).
    func losses(_ run: String) throws -> [Int: Double] {
        Dictionary(try loggedStepLosses(run), uniquingKeysWith: { _, last in last })
    }

    func lastLoggedStep(_ run: String) -> Int {
        (try? loggedStepLosses(run))?.last?.0 ?? 0
    }
    func testSIGKILLedRunResumesExactly() throws {
        _ = try DemoEndToEndTests.report()
        let dir = try temporaryFolder(self)
        let o = DemoEndToEndTests.out
        func recipe(_ run: String) throws -> Recipe {
            try RecipeLoader.load(DemoEndToEndTests.root + "/Recipes/demo/stage1.yaml", overrides: [
                "model.vision.path=\(o)/models/vision", "model.llm.path=\(o)/models/llm", "data.train=\(o)/shards/captions",
                "train.max_steps=150", "checkpoint.every=7", "checkpoint.keep_last=2", "log.every=1", "log.tensorboard=false",
                "checkpoint.dir=\(run)",
            ])
        }
        // The uninterrupted reference, in this process.
        let reference = try TrainingSession(recipe: recipe(dir + "/a"), runFolder: dir + "/a")
        _ = try reference.trainer.run()

        // The child: killed once it has logged step 40 or more.
        let killed = dir + "/b"
        let file = dir + "/b.yaml"
        try recipe(killed).resolvedYAML.write(toFile: file, atomically: true, encoding: .utf8)
        let child = Process()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        child.arguments = ["WorkflowsTests.KillAndResumeTests/testChildTrainsUntilKilled"]
        child.environment = ProcessInfo.processInfo.environment.merging([Self.recipeVariable: file]) { $1 }
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        try child.run()
        let deadline = Date().addingTimeInterval(120)
        while lastLoggedStep(killed) < 40 && child.isRunning && Date() < deadline { usleep(2_000) }
        XCTAssertTrue(child.isRunning, "the child finished (or failed) before it could be killed")
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        let killedAt = lastLoggedStep(killed)
        XCTAssertLessThan(killedAt, 150)

        // Resume in this process from whatever the kill left.
        let resumed = try TrainingSession(recipe: recipe(killed), runFolder: killed)
        try resumed.resume("auto")
        _ = try resumed.trainer.run()

        let a = try losses(dir + "/a"), b = try losses(killed)
        XCTAssertEqual(a.count, 150)
        XCTAssertEqual(Set(a.keys), Set(b.keys))
        for step in a.keys.sorted() where a[step] != b[step] {
            XCTFail("step \(step) (killed at \(killedAt)): \(a[step]!) vs \(b[step]!)")
            break
        }
    }
}
