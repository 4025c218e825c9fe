import XCTest
@testable import Tensors

final class AutodiffTests: XCTestCase {
    func testGradientsAccumulateAcrossBackwardCalls() throws {
        let w = randn([3], seed: 1).requiringGrad()
        try (w * 2).sum().backward()
        try (w * 3).sum().backward()
        XCTAssertEqual(w.grad!.scalars, [5, 5, 5])
    }

    func testNoGradRecordsNothing() throws {
        let w = randn([3], seed: 2).requiringGrad()
        let y = try noGrad { try (w * w).sum() }
        XCTAssertNil(y.gradFn)
        XCTAssertTrue(GradMode.isEnabled)
    }

    func testFrozenInputsGetNoGradientAndSaveNothing() throws {
        let frozen = randn([4, 4], seed: 3)
        let x = randn([2, 4], seed: 4).requiringGrad()
        let y = try x.linear(weight: frozen)
        guard case let .linear(savedX, savedW, _)? = y.gradFn?.op else { return XCTFail("no linear node") }
        XCTAssertNil(savedX, "x is saved only when the weight needs a gradient")
        XCTAssertNotNil(savedW)
        try y.sum().backward()
        XCTAssertNil(frozen.grad)
        XCTAssertNotNil(x.grad)
    }

    func testGraphIsReleasedAfterBackward() throws {
        let x = randn([5], seed: 5).requiringGrad()
        let h = x.exp()
        let loss = try (h * h).sum()
        try loss.backward()
        XCTAssertNil(loss.gradFn)
        if case .some = h.gradFn?.op { XCTFail("saved tensors of an inner node survived backward") }
        let again = try h.sum()
        XCTAssertThrowsError(try again.backward()) { err in
            XCTAssert("\(err)".contains("already used"), "\(err)")
        }
    }

    func testBackwardNeedsScalarOrGradient() throws {
        let x = randn([2, 2], seed: 6).requiringGrad()
        let y = x * 2
        XCTAssertThrowsError(try y.backward())
        try y.backward(Tensor.ones([2, 2]))
        XCTAssertEqual(x.grad!.scalars, [2, 2, 2, 2])
    }

    func testDeepChainDoesNotOverflowTheStack() throws {
        let x = randn([4], seed: 7).requiringGrad()
        var h = x
        for _ in 0..<20000 { h = h * 1.0001 }
        try h.sum().backward()
        XCTAssertEqual(Double(x.grad!.scalars[0]), Foundation.pow(1.0001, 20000), accuracy: 1e-2)
    }

    func testBufferPoolReusesSteadyStateAllocations() throws {
        let x = randn([256, 256], seed: 8).requiringGrad()
        func step() throws { try (x.matmul(x) * 2).sum().backward() }
        try step()
        let before = BufferPool.shared.systemAllocations
        for _ in 0..<5 { try step() }
        XCTAssertEqual(BufferPool.shared.systemAllocations, before, "a repeated step should reuse pooled buffers")
    }
}
