// swift-tools-version: 6.0
// vlmtune: train LLaVA-style vision-language models on the CPU, in Swift.
import PackageDescription
import Foundation

// Numeric code is built for the CPU it runs on (AVX2/AVX-512 where present): the package is
// always built from source on the machine that trains. Set VLMTUNE_PORTABLE=1 to build a
// binary that runs on any x86-64 (about 2x slower in the non-BLAS kernels).
let portable = ProcessInfo.processInfo.environment["VLMTUNE_PORTABLE"] == "1"
let nativeFlags: [String] = portable ? [] : ["-Xcc", "-march=native"]
let fastMath: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked"] + nativeFlags, .when(configuration: .release)),
]

let package = Package(
    name: "vlmtune",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "vlmtune", targets: ["vlmtune"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // BLAS is opened with dlopen after OPENBLAS_CORETYPE is set (see docs/ARCHITECTURE.md),
        // so this is a small C target rather than a linked system library.
        .target(name: "CBLAS", linkerSettings: [.linkedLibrary("dl")]),
        .target(name: "CSIMD", cSettings: [.unsafeFlags(["-O3"] + nativeFlags.filter { $0 != "-Xcc" })]),
        .target(name: "Tensors", dependencies: ["CBLAS", "CSIMD"], swiftSettings: fastMath),
        .target(
            name: "VLMTuneCLI",
            dependencies: [
                "Tensors",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: fastMath),
        .executableTarget(name: "vlmtune", dependencies: ["VLMTuneCLI"]),
        .testTarget(name: "TensorsTests", dependencies: ["Tensors"], swiftSettings: fastMath),
    ],
    swiftLanguageModes: [.v5]
)
