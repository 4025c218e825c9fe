import ArgumentParser
import Foundation
import Tensors

/// `vlmtune bench`: speed measurements.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure speed: kernels (`ops`) or training steps on the shared benchmark shapes.",
        subcommands: [Ops.self])

    struct Ops: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Kernel throughput at the `small` shapes: GEMM vs raw BLAS, memory-bound kernels vs memcpy, attention.")

        @Option(help: "Timed repetitions per measurement (median reported).")
        var reps = 7

        @Flag(help: "Print one JSON line with every row instead of the table.")
        var json = false

        func run() throws {
            let rows = try OpsBench(reps: reps).run(log: { if !json { print($0) } })
            if json {
                let enc = JSONEncoder()
                enc.outputFormatting = [.sortedKeys]
                print(String(data: try enc.encode(rows), encoding: .utf8)!)
            }
        }
    }
}
