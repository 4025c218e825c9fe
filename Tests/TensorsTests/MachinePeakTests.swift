import XCTest
@testable import Tensors

final class MachinePeakTests: XCTestCase {
    /// The kernel does the FMAs it is timed for: every accumulator follows a = 0.5 a + 1 from
    /// 1, so after n iterations each lane holds 2 - 0.5^n, and thread 0's 192 lanes sum to
    /// 192 times that.
    func testChainsComputeWhatTheyClaim() {
        for n in [0, 1, 2, 5, 30] {
            let (seconds, checksum) = MachinePeak.run(threads: 2, iterations: n)
            var lane: Float = 1
            for _ in 0..<n { lane = lane * 0.5 + 1 }
            XCTAssertEqual(checksum, 192 * Double(lane), accuracy: 1e-4, "n = \(n)")
            XCTAssertGreaterThanOrEqual(seconds, 0)
        }
    }

    func testCeilingIsPositiveAndFinite() {
        let g = MachinePeak.fmaGFLOPs(threads: 1, seconds: 0.005, repeats: 1)
        XCTAssertTrue(g.isFinite && g > 0, "\(g)")
    }
}
