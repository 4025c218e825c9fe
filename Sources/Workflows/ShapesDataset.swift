import Evaluation
import Foundation
import Imaging
import Tensors

/// `vlmtune data synth-shapes`: writes the shapes world as a user's data would look.
///
///     out/images/train/00000.png ...   training images
///     out/captions.json                LLaVA JSON, stage 1 (image + caption)
///     out/instruct.json                LLaVA JSON, stage 2 (single questions; every 20th image
///                                      also a 3-round conversation)
///     out/text.json                    LLaVA JSON without images, for pretraining the LLM
///     out/eval/images/00000.png ...    held-out images (no scene is shared with training)
///     out/eval/{yesno,choice,short,caption,ground}.jsonl   eval sets (DESIGN.md section 5)
///     out/eval/zeroshot.json           single-object images and their class, for CLIP
public struct ShapesDataset {
    public var out: String
    public var trainCount: Int
    public var evalCount: Int
    public var seed: UInt64

    public init(out: String, trainCount: Int, evalCount: Int, seed: UInt64) {
        self.out = out
        self.trainCount = trainCount
        self.evalCount = evalCount
        self.seed = seed
    }

    public struct Summary {
        public var trainImages: Int
        public var evalImages: Int
        public var evalItems: [String: Int]
    }

    typealias W = ShapesWorld

    public func write() throws -> Summary {
        let fm = FileManager.default
        for d in ["images/train", "eval/images"] { try fm.createDirectory(atPath: out + "/" + d, withIntermediateDirectories: true) }
        var rng = RandomGenerator(seed: seed, stream: 1)
        var trainScenes: [W.Scene] = [], seen = Set<String>()
        while trainScenes.count < trainCount {
            let s = W.scene(rng: &rng)
            seen.insert(s.signature)
            trainScenes.append(s)
        }
        var evalRng = RandomGenerator(seed: seed, stream: 2)
        var evalScenes: [W.Scene] = []
        while evalScenes.count < evalCount {
            let s = W.scene(rng: &evalRng)
            if !seen.contains(s.signature) { evalScenes.append(s) }
        }
        try writeImages(trainScenes, folder: out + "/images/train")
        try writeImages(evalScenes, folder: out + "/eval/images")

        var captions: [[String: Any]] = [], instruct: [[String: Any]] = [], text: [[String: Any]] = []
        var qrng = RandomGenerator(seed: seed, stream: 3)
        for (i, s) in trainScenes.enumerated() {
            let image = String(format: "train/%05d.png", i)
            captions.append(["id": "cap-\(i)", "image": image, "conversations": [
                ["from": "human", "value": "<image>"], ["from": "gpt", "value": W.caption(s)],
            ]])
            let rounds = 6 + qrng.nextInt(below: 3)
            var turns: [[String: String]] = []
            for r in 0..<rounds {
                let (q, a) = ShapesQuestions.trainingTurn(s, rng: &qrng)
                turns.append(["from": "human", "value": (r == 0 ? "<image>\n" : "") + q])
                turns.append(["from": "gpt", "value": a])
            }
            instruct.append(contentsOf: Self.instructSamples(turns, image: image, index: i))
            // For the LLM's pretraining, the caption stands where the image will be: the model
            // learns to answer from what the context says, which is what it must do with image
            // features later (a tiny LLM trained on bare questions learns only priors).
            var textTurns = turns
            textTurns[0]["value"] = W.caption(s) + "\n" + String(textTurns[0]["value"]!.dropFirst("<image>\n".count))
            text.append(["id": "text-\(i)", "conversations": textTurns])
            text.append(["id": "textcap-\(i)", "conversations": [["from": "human", "value": ShapesQuestions.captionQuestion],
                                                                  ["from": "gpt", "value": W.caption(s)]]])
        }
        try writeJSON(captions, to: out + "/captions.json")
        try writeJSON(instruct, to: out + "/instruct.json")
        try writeJSON(text, to: out + "/text.json")

        var counts: [String: Int] = [:]
        var erng = RandomGenerator(seed: seed, stream: 4)
        let sets = ShapesQuestions.evalSets(evalScenes, imagePath: { String(format: "images/%05d.png", $0) }, rng: &erng)
        for (name, items) in sets {
            let set = EvalSet(items: items, source: name)
            try set.write(to: URL(fileURLWithPath: out + "/eval/\(name).jsonl"))
            counts[name] = set.items.count
        }
        var zeroshot: [[String: Any]] = []
        for (i, s) in evalScenes.enumerated() where s.objects.count == 1 {
            zeroshot.append(["image": String(format: "images/%05d.png", i), "colour": s.objects[0].colour.rawValue, "shape": s.objects[0].shape.rawValue])
        }
        try writeJSON(zeroshot, to: out + "/eval/zeroshot.json")
        return Summary(trainImages: trainScenes.count, evalImages: evalScenes.count, evalItems: counts)
    }

    /// Single-round samples of the image's questions, except that every `multiRoundEvery`-th
    /// image asks its first `multiRounds` questions in one conversation. A tiny LLM learns to
    /// read the image tokens several times faster from single questions: in a long
    /// conversation the image sits far back and earlier answers offer text to copy instead
    /// (measured: README, "What the demo does, and what it reaches"). The few conversations are
    /// short so that the batches they land in are not padded far.
    static let multiRoundEvery = 20
    static let multiRounds = 3

    static func instructSamples(_ turns: [[String: String]], image: String, index i: Int) -> [[String: Any]] {
        let firstRounds = i % multiRoundEvery == 0 ? multiRounds : 1
        var samples: [[String: Any]] = []
        var r = 0
        while r < turns.count / 2 {
            let n = samples.isEmpty ? firstRounds : 1
            var conversation = Array(turns[(2 * r)..<(2 * (r + n))])
            if r > 0 { conversation[0]["value"] = "<image>\n" + conversation[0]["value"]! }
            samples.append(["id": "inst-\(i)-\(r)", "image": image, "conversations": conversation])
            r += n
        }
        return samples
    }

    func writeImages(_ scenes: [W.Scene], folder: String) throws {
        var failure: Error?
        let lock = NSLock()
        Parallel.forEach(scenes.count) { i in
            do {
                try W.render(scenes[i]).pngData().write(to: URL(fileURLWithPath: String(format: "%@/%05d.png", folder, i)))
            } catch {
                lock.lock(); failure = error; lock.unlock()
            }
        }
        if let failure { throw failure }
    }

    func writeJSON(_ value: Any, to path: String) throws {
        try JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted, .sortedKeys]).write(to: URL(fileURLWithPath: path))
    }
}
