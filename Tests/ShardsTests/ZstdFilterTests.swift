import CZstd
import XCTest
@testable import Shards
#if canImport(Glibc)
import Glibc
#endif

/// The filter callback, called the way HDF5 calls it: with a malloc'd buffer that it may
/// replace, returning the valid byte count or 0 for a failure.
final class ZstdFilterTests: XCTestCase {
    /// Runs the filter over a copy of `input`; nil when it reports a failure.
    private func runFilter(_ input: [UInt8], reverse: Bool, level: Int32? = nil) -> [UInt8]? {
        var capacity = max(input.count, 1)
        var buffer: UnsafeMutableRawPointer? = malloc(capacity)
        input.withUnsafeBytes { if let base = $0.baseAddress { buffer!.copyMemory(from: base, byteCount: input.count) } }
        var values: [UInt32] = level.map { [UInt32(bitPattern: $0)] } ?? []
        let length = values.withUnsafeMutableBufferPointer { cd in
            ZstdFilter.filterFunction(reverse ? 0x0100 : 0, cd.count, cd.count > 0 ? UnsafePointer(cd.baseAddress) : nil, input.count, &capacity, &buffer)
        }
        defer { free(buffer) }
        guard length > 0 else { return nil }
        XCTAssertLessThanOrEqual(length, capacity, "valid bytes beyond the reported buffer size")
        return Array(UnsafeRawBufferPointer(start: buffer, count: length))
    }

    private var sampleData: [UInt8] {
        var random = SeededGenerator(seed: 11)
        return (0..<100_000).map { index in UInt8(truncatingIfNeeded: index / 7) &+ UInt8.random(in: 0...3, using: &random) }
    }

    func testFilterIsRegisteredWithHDF5() {
        XCTAssertTrue(HDF5Library.zstdFilterAvailable)
        XCTAssertEqual(ShardLayout.zstdFilterID, 32015)
    }

    func testRoundTripAtTheLevelInCdValues() throws {
        let data = sampleData
        let fast = try XCTUnwrap(runFilter(data, reverse: false, level: 1))
        let strong = try XCTUnwrap(runFilter(data, reverse: false, level: 19))
        XCTAssertLessThan(strong.count, fast.count, "level 19 should compress this better than level 1")
        XCTAssertLessThan(fast.count, data.count)
        XCTAssertEqual(runFilter(fast, reverse: true), data)
        XCTAssertEqual(runFilter(strong, reverse: true), data)
    }

    func testMissingLevelMeansLevelThree() throws {
        let data = sampleData
        let implicit = try XCTUnwrap(runFilter(data, reverse: false, level: nil))
        XCTAssertEqual(implicit, runFilter(data, reverse: false, level: 3))
        XCTAssertEqual(runFilter(implicit, reverse: true), data)
    }

    /// A frame whose header leaves out the content size (as streaming compressors write
    /// them) is decoded with the streaming API; so are two concatenated frames.
    func testFramesWithoutContentSizeAndConcatenatedFrames() throws {
        let data = sampleData
        let context = try XCTUnwrap(ZSTD_createCCtx())
        defer { ZSTD_freeCCtx(context) }
        XCTAssertEqual(ZSTD_isError(ZSTD_CCtx_setParameter(context, ZSTD_c_contentSizeFlag, 0)), 0)
        var frame = [UInt8](repeating: 0, count: ZSTD_compressBound(data.count))
        let length = frame.withUnsafeMutableBytes { out in
            data.withUnsafeBytes { ZSTD_compress2(context, out.baseAddress, out.count, $0.baseAddress, $0.count) }
        }
        XCTAssertEqual(ZSTD_isError(length), 0)
        frame.removeLast(frame.count - length)
        XCTAssertEqual(frame.withUnsafeBytes { ZSTD_getFrameContentSize($0.baseAddress, $0.count) }, ZSTD_CONTENTSIZE_UNKNOWN)
        XCTAssertEqual(runFilter(frame, reverse: true), data)

        let first = try XCTUnwrap(runFilter(Array(data[..<40_000]), reverse: false, level: 3))
        let second = try XCTUnwrap(runFilter(Array(data[40_000...]), reverse: false, level: 3))
        XCTAssertEqual(runFilter(first + second, reverse: true), data)
    }

    func testBadInputIsAFilterFailureNotACrash() throws {
        let frame = try XCTUnwrap(runFilter(sampleData, reverse: false, level: 3))
        XCTAssertNil(runFilter(Array(frame.prefix(frame.count / 2)), reverse: true), "truncated frame")
        XCTAssertNil(runFilter(Array("not zstd at all, just some text".utf8), reverse: true), "no magic number")
        XCTAssertNil(runFilter([0x28, 0xB5], reverse: true), "two bytes")
        var corrupt = frame
        for index in stride(from: 20, to: corrupt.count, by: 97) { corrupt[index] ^= 0x5A }
        XCTAssertNil(runFilter(corrupt, reverse: true), "corrupt frame (zstd checks block structure)")
    }
}
