// swift-tools-version: 6.0
// vlmtune: train LLaVA-style vision-language models on the CPU, in Swift.
import PackageDescription
import Foundation

// Numeric code is built for the CPU it runs on (AVX2/AVX-512 where present): the package is
// always built from source on the machine that trains. Set VLMTUNE_PORTABLE=1 to build a
// binary that runs on any x86-64 (about 2x slower in the non-BLAS kernels).
let portable = ProcessInfo.processInfo.environment["VLMTUNE_PORTABLE"] == "1"
let nativeFlags: [String] = portable ? [] : ["-march=native"]
let fastMath: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked"] + nativeFlags.flatMap { ["-Xcc", $0] }, .when(configuration: .release)),
]

let package = Package(
    name: "vlmtune",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "vlmtune", targets: ["vlmtune"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // C libraries. BLAS is opened with dlopen after OPENBLAS_CORETYPE is set (see
        // docs/ARCHITECTURE.md), so it is a small C target rather than a linked system library.
        .target(name: "CBLAS", linkerSettings: [.linkedLibrary("dl")]),
        .target(name: "CSIMD", cSettings: [.unsafeFlags(["-O3"] + nativeFlags)]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg62-turbo-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"])]),

        // The engine and what is built on it.
        .target(name: "Tensors", dependencies: ["CBLAS", "CSIMD"], swiftSettings: fastMath),
        .target(name: "AtomicFiles", swiftSettings: fastMath),
        .target(name: "Formats", dependencies: ["Tensors", "AtomicFiles"], swiftSettings: fastMath),
        // libpng and libjpeg report errors with longjmp, which Swift cannot catch: CImaging wraps
        // their decoders in C.
        .target(name: "CImaging", dependencies: ["CPNG", "CJPEG"], cSettings: [.unsafeFlags(["-O2"])]),
        .target(name: "Imaging", dependencies: ["CImaging"], swiftSettings: fastMath),
        .target(name: "Checksums", swiftSettings: fastMath),
        .target(name: "Tokenizers", dependencies: ["Checksums"], swiftSettings: fastMath),
        .target(name: "Shards", dependencies: ["CHDF5", "CZstd", "Checksums", "AtomicFiles"], swiftSettings: fastMath),
        .target(name: "Evaluation", dependencies: ["Tensors", "Models", "Tokenizers", "Imaging"], swiftSettings: fastMath),
        .target(name: "Charts", swiftSettings: fastMath),
        .target(name: "Workflows", dependencies: ["Tensors", "Imaging", "Evaluation", "Tokenizers", "Models", "Layers", "Training", "DataPipeline", "Shards", "Charts", "Formats", "AtomicFiles"], swiftSettings: fastMath),
        .target(name: "DataPipeline", dependencies: ["Checksums", "Tensors", "Models", "Training", "Shards", "Imaging", "Tokenizers"], swiftSettings: fastMath),
        .target(name: "Layers", dependencies: ["Tensors"], swiftSettings: fastMath),
        .target(name: "Models", dependencies: ["Tensors", "Layers", "Formats", "AtomicFiles"], swiftSettings: fastMath),
        .target(name: "Training", dependencies: ["Tensors", "Layers", "Models", "Formats", "AtomicFiles", "Charts", "Yams"], swiftSettings: fastMath),
        .target(
            name: "VLMTuneCLI",
            dependencies: [
                "Tensors", "Formats", "Imaging", "Tokenizers", "Layers", "Models", "Training", "DataPipeline", "Shards", "Evaluation", "Charts", "Workflows",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: fastMath),
        .executableTarget(name: "vlmtune", dependencies: ["VLMTuneCLI"]),

        .testTarget(name: "TensorsTests", dependencies: ["Tensors"], swiftSettings: fastMath),
        .testTarget(name: "AtomicFilesTests", dependencies: ["AtomicFiles"], swiftSettings: fastMath),
        .testTarget(name: "FormatsTests", dependencies: ["Formats", "Tensors"], swiftSettings: fastMath),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Models", "Layers", "Tensors", "Formats"], swiftSettings: fastMath),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "Formats", "Layers", "Tensors"], swiftSettings: fastMath),
        .testTarget(name: "VLMTuneCLITests", dependencies: ["VLMTuneCLI", "Formats", "Tensors"], swiftSettings: fastMath),
        .testTarget(name: "TokenizersTests", dependencies: ["Tokenizers"], swiftSettings: fastMath),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "Models", "Tensors"], swiftSettings: fastMath),
        .testTarget(name: "ChecksumsTests", dependencies: ["Checksums"], swiftSettings: fastMath),
        .testTarget(name: "ShardsTests", dependencies: ["Shards", "Checksums"], swiftSettings: fastMath),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging"], swiftSettings: fastMath),
        .testTarget(name: "DataPipelineTests", dependencies: ["DataPipeline", "Shards", "Imaging", "Tokenizers"], swiftSettings: fastMath),
        .testTarget(name: "WorkflowsTests", dependencies: ["Workflows", "Training", "Models", "Layers", "Tensors", "Formats", "Evaluation"], swiftSettings: fastMath),
    ],
    swiftLanguageModes: [.v5]
)
