import Foundation
import XCTest
@testable import Tensors

/// `Parallel` on vlm_pool.c: every index exactly once, nested and concurrent calls complete.
final class ParallelTests: XCTestCase {
    /// Counts shared between threads.
    final class Tally: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var counts: [Int]
        init(_ n: Int) { counts = [Int](repeating: 0, count: n) }
        func add(_ i: Int, _ k: Int = 1) { lock.lock(); counts[i] += k; lock.unlock() }
    }

    func testEveryIndexRunsExactlyOnce() {
        for n in [0, 1, 2, 3, 17, 1000] {
            let each = Tally(n)
            Parallel.forEach(n) { each.add($0) }
            XCTAssertEqual(each.counts, [Int](repeating: 1, count: n), "forEach(\(n))")
            let ranges = Tally(n)
            Parallel.forRange(n, minChunk: 2) { r in for i in r { ranges.add(i) } }
            XCTAssertEqual(ranges.counts, [Int](repeating: 1, count: n), "forRange(\(n))")
        }
    }

    /// A task that itself calls Parallel runs the inner loop on its own thread; two threads
    /// calling at once both finish (one of them alone).
    func testNestedAndConcurrentCallsComplete() {
        let nested = Tally(1)
        Parallel.forEach(8) { _ in
            Parallel.forRange(100, minChunk: 1) { r in nested.add(0, r.count) }
        }
        XCTAssertEqual(nested.counts, [800])
        let sums = Tally(2)
        let group = DispatchGroup()
        for t in 0..<2 {
            DispatchQueue.global().async(group: group) {
                for _ in 0..<200 { Parallel.forRange(64, minChunk: 1) { r in sums.add(t, r.count) } }
            }
        }
        group.wait()
        XCTAssertEqual(sums.counts, [12800, 12800])
    }
}
