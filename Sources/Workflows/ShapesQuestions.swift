import Evaluation
import Foundation
import Tensors

/// Questions about a scene, worded as the evaluation prompts word them (`Prompts.text`), so
/// that what the model practises in stage 2 is what it is asked at evaluation.
enum ShapesQuestions {
    typealias W = ShapesWorld
    static let captionQuestion = "Describe the image briefly."

    enum Kind: CaseIterable { case colour, shape, count, position, existence, choice, ground, caption }

    /// One question and its answer as they appear in a training conversation.
    /// Question kinds of training conversations, by weight: the short answers the eval asks
    /// about most, captions and boxes (long answers) less often.
    static let trainingKinds: [(Kind, Int)] = [(.colour, 3), (.shape, 3), (.count, 2), (.position, 3), (.existence, 5), (.choice, 2), (.ground, 1), (.caption, 1)]

    static func trainingTurn(_ s: W.Scene, rng: inout RandomGenerator) -> (String, String) {
        let total = trainingKinds.reduce(0) { $0 + $1.1 }
        var pick = rng.nextInt(below: total)
        var kind = Kind.colour
        for (k, w) in trainingKinds {
            if pick < w { kind = k; break }
            pick -= w
        }
        let item = evalItem(kind, s, id: "", image: nil, rng: &rng)
        let prompt = Prompts.text(for: item)
        switch item.type {
        case .choice:
            let index = item.choices!.firstIndex(of: item.answers[0])!
            return (prompt, String(ScienceQA.letters[index]))
        default:
            return (prompt, item.answers[0])
        }
    }

    /// The object a question can name unambiguously by `key`.
    static func unique<K: Hashable>(_ s: W.Scene, _ key: (W.Object) -> K, rng: inout RandomGenerator) -> W.Object? {
        let candidates = s.objects.filter { o in s.objects.filter { key($0) == key(o) }.count == 1 }
        return candidates.isEmpty ? nil : candidates[rng.nextInt(below: candidates.count)]
    }

    static func evalItem(_ kind: Kind, _ s: W.Scene, id: String, image: String?, rng: inout RandomGenerator) -> EvalItem {
        let images = image.map { [$0] } ?? []
        let any = s.objects[rng.nextInt(below: s.objects.count)]
        switch kind {
        case .colour:
            if let o = unique(s, { $0.shape }, rng: &rng) {
                return EvalItem(id: id, images: images, question: "What color is the \(o.shape.rawValue)?", answers: [o.colour.rawValue], type: .short, group: "colour")
            }
            return EvalItem(id: id, images: images, question: "What color is the shape in the \(any.quadrant.name)?", answers: [any.colour.rawValue], type: .short, group: "colour")
        case .shape:
            return EvalItem(id: id, images: images, question: "What shape is in the \(any.quadrant.name)?", answers: [any.shape.rawValue], type: .short, group: "shape")
        case .count:
            return EvalItem(id: id, images: images, question: "How many shapes are there?", answers: [String(s.objects.count)], type: .short, group: "count")
        case .position:
            let o = unique(s, { $0.phrase }, rng: &rng) ?? any
            return EvalItem(id: id, images: images, question: "Where is the \(o.phrase)?", answers: [o.quadrant.name], type: .short, group: "position")
        case .existence:
            let present = rng.nextInt(below: 2) == 0
            var phrase = any.phrase
            if !present {
                let absent = W.Colour.allCases.flatMap { c in W.Shape.allCases.map { "\(c.rawValue) \($0.rawValue)" } }
                    .filter { p in !s.objects.contains { $0.phrase == p } }
                phrase = absent[rng.nextInt(below: absent.count)]
            }
            return EvalItem(id: id, images: images, question: "Is there a \(phrase) in the image?", answers: [present ? "Yes" : "No"], type: .yesno, group: "existence")
        case .choice:
            if rng.nextInt(below: 2) == 0 {
                let options = rng.permutation(4).map { W.Colour.allCases[$0].rawValue }
                return EvalItem(id: id, images: images, question: "What color is the shape in the \(any.quadrant.name)?", answers: [any.colour.rawValue],
                                type: .choice, choices: options, group: "colour")
            }
            let options = rng.permutation(3).map { W.Shape.allCases[$0].rawValue }
            return EvalItem(id: id, images: images, question: "What shape is in the \(any.quadrant.name)?", answers: [any.shape.rawValue],
                            type: .choice, choices: options, group: "shape")
        case .ground:
            let o = unique(s, { $0.phrase }, rng: &rng) ?? any
            let b = o.box(side: W.side).map { String(format: "%.2f", $0) }.joined(separator: ", ")
            return EvalItem(id: id, images: images, question: "Give the bounding box of the \(o.phrase).", answers: ["[\(b)]"], type: .ground)
        case .caption:
            return EvalItem(id: id, images: images, question: captionQuestion, answers: [W.caption(s)], type: .caption)
        }
    }

    /// The held-out sets, one per task type; `short` covers colour, shape, count and position
    /// (its groups), `yesno` is balanced between yes and no.
    static func evalSets(_ scenes: [W.Scene], imagePath: (Int) -> String, rng: inout RandomGenerator) -> [(String, [EvalItem])] {
        var sets: [(String, [EvalItem])] = []
        func make(_ name: String, _ kinds: [Kind]) {
            var items: [EvalItem] = []
            for (i, s) in scenes.enumerated() {
                for k in kinds { items.append(evalItem(k, s, id: "\(name)-\(i)-\(items.count)", image: imagePath(i), rng: &rng)) }
            }
            sets.append((name, items))
        }
        make("yesno", [.existence])
        make("choice", [.choice])
        make("short", [.colour, .shape, .count, .position])
        make("caption", [.caption])
        make("ground", [.ground])
        return sets
    }
}
