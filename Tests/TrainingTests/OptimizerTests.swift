import XCTest
import Tensors
@testable import Training

final class OptimizerTests: XCTestCase {
    /// AdamW against a double-precision transcription of torch.optim.AdamW.
    func testAdamWMatchesReference() throws {
        var rng = RandomGenerator(seed: 3)
        let p = Tensor.randn([37], rng: &rng).requiringGrad()
        var ref = p.scalars.map(Double.init), m = [Double](repeating: 0, count: 37), v = m
        let opt = AdamW(groups: [.init(name: "g", parameters: [("p", p)], lr: 0.01, weightDecay: 0.1)], beta1: 0.9, beta2: 0.99, eps: 1e-6)
        for step in 1...5 {
            let g = Tensor.randn([37], rng: &rng)
            p.grad = g.copy()
            let gv = g.scalars.map(Double.init)
            try opt.step(lrScale: 0.5)
            let lr = 0.005
            for i in 0..<37 {
                ref[i] *= 1 - lr * 0.1
                m[i] = 0.9 * m[i] + 0.1 * gv[i]
                v[i] = 0.99 * v[i] + 0.01 * gv[i] * gv[i]
                let denom = (v[i].squareRoot() / (1 - pow(0.99, Double(step))).squareRoot()) + 1e-6
                ref[i] -= lr / (1 - pow(0.9, Double(step))) * m[i] / denom
            }
        }
        for (a, b) in zip(p.scalars, ref) { XCTAssertEqual(Double(a), b, accuracy: 1e-5) }
        XCTAssertEqual(opt.steps, 5)
    }

    func testGroupsSeparateDecayAndProjector() {
        let ps = [("model.multi_modal_projector.linear_1.weight", Tensor.zeros([2, 2])), ("model.multi_modal_projector.linear_1.bias", Tensor.zeros([2])),
                  ("lora_A.weight", Tensor.zeros([2, 2])), ("norm.weight", Tensor.zeros([2]))]
        let gs = AdamW.groups(ps, lr: 1, projectorLR: 0.1, weightDecay: 0.5, isProjector: { $0.contains("projector") })
        XCTAssertEqual(gs.map(\.name), ["main.decay", "main.no_decay", "projector.decay", "projector.no_decay"])
        XCTAssertEqual(gs.map(\.lr), [1, 1, 0.1, 0.1])
        XCTAssertEqual(gs.map(\.weightDecay), [0.5, 0, 0.5, 0])
    }

    func testClippingAndNorm() throws {
        let p = try Tensor(shape: [2], scalars: [0, 0]).requiringGrad()
        p.grad = try Tensor(shape: [2], scalars: [3, 4])
        let opt = AdamW(groups: [.init(name: "g", parameters: [("p", p)], lr: 1, weightDecay: 0)])
        XCTAssertEqual(opt.gradientNorm(), 5, accuracy: 1e-9)
        opt.clipGradients(maxNorm: 1, norm: 5)
        XCTAssertEqual(opt.gradientNorm(), 1, accuracy: 1e-5)
    }

    /// transformers' get_cosine_schedule_with_warmup / get_linear_schedule_with_warmup.
    func testSchedulesMatchTransformers() {
        let cos = LRSchedule(kind: .cosine, warmupSteps: 3, totalSteps: 10)
        XCTAssertEqual(cos.multiplier(step: 0), 0)
        XCTAssertEqual(cos.multiplier(step: 2), 2.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(cos.multiplier(step: 3), 1, accuracy: 1e-12)
        XCTAssertEqual(cos.multiplier(step: 5), 0.5 * (1 + Foundation.cos(Double.pi * 2 / 7)), accuracy: 1e-12)
        XCTAssertEqual(cos.multiplier(step: 10), 0, accuracy: 1e-12)
        let lin = LRSchedule(kind: .linear, warmupSteps: 0, totalSteps: 4)
        XCTAssertEqual([0, 1, 2, 3].map { lin.multiplier(step: $0) }, [1, 0.75, 0.5, 0.25])
        XCTAssertEqual(LRSchedule.warmup(ratio: 0.03, steps: nil, total: 100), 3)
        XCTAssertEqual(LRSchedule.warmup(ratio: 0.03, steps: nil, total: 101), 4, "ceil, as HF")
    }
}
