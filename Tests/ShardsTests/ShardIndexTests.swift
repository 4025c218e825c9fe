import Foundation
import XCTest
@testable import Shards

final class ShardIndexTests: XCTestCase {
    private var folder: TemporaryFolder!
    override func setUpWithError() throws { folder = try TemporaryFolder() }
    override func tearDown() { folder.remove() }

    private let example = ShardIndex(
        template: "vicuna_v1", tokenizerSHA256: String(repeating: "ab", count: 32),
        image: .init(size: 336, mode: "pad", storage: .pixels, mean: [0.48145466, 0.4578275, 0.40821073], std: [0.26862954, 0.26130258, 0.27577711]),
        shards: [ShardEntry(file: "shard-00000.h5", samples: 10, tokens: 3000, images: 9, sha256: String(repeating: "0f", count: 32))],
        skipped: ["image_count_mismatch": 2, "no_answer": 1], source: "llava_v1_5_mix665k.json")

    func testWritesTheContractKeysAndReadsBack() throws {
        try example.write(toFolder: folder.path)
        XCTAssertEqual(folder.contents, ["index.json"], "no temporary file left")
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder.file("index.json")))) as? [String: Any])
        XCTAssertEqual(Set(object.keys), ["format", "version", "template", "tokenizer_sha256", "image", "shards", "skipped", "source"])
        XCTAssertEqual(object["format"] as? String, "vlmtune-shards")
        XCTAssertEqual(object["version"] as? Int, 1)
        let image = try XCTUnwrap(object["image"] as? [String: Any])
        XCTAssertEqual(Set(image.keys), ["size", "mode", "storage", "mean", "std"])
        XCTAssertEqual(image["storage"] as? String, "pixels")
        let shard = try XCTUnwrap((object["shards"] as? [[String: Any]])?.first)
        XCTAssertEqual(Set(shard.keys), ["file", "samples", "tokens", "images", "sha256"])
        XCTAssertEqual(try ShardIndex.read(fromFolder: folder.path), example)
        XCTAssertEqual(try example.jsonData(), try example.jsonData(), "same index, same bytes")
    }

    func testUnknownKeysAreToleratedAndNullSourceReads() throws {
        let text = """
        {"format":"vlmtune-shards","version":1,"template":"plain","tokenizer_sha256":"x","later":{"a":1},
         "image":{"size":64,"mode":"resize","storage":"encoded","mean":[0.5,0.5,0.5],"std":[0.5,0.5,0.5],"extra":true},
         "shards":[{"file":"shard-00000.h5","samples":1,"tokens":2,"images":0,"sha256":"00","note":"x"}],
         "skipped":{},"source":null}
        """
        let index = try ShardIndex.decode(Data(text.utf8), path: "index.json")
        XCTAssertEqual(index.image.storage, .encoded)
        XCTAssertNil(index.source)
        XCTAssertEqual(index.sampleCount, 1)
        XCTAssertEqual(index.tokenCount, 2)
    }

    func testRejectsForeignWrongVersionMalformedAndUnsafeNames() {
        func decode(_ text: String) throws -> ShardIndex { try ShardIndex.decode(Data(text.utf8), path: "data/index.json") }
        assertShardError(.invalidIndex, ["data/index.json", "format", "\"other\""]) { try decode(#"{"format":"other","version":1}"#) }
        assertShardError(.unsupportedVersion, ["data/index.json", "version", "is 2"]) { try decode(#"{"format":"vlmtune-shards","version":2}"#) }
        assertShardError(.invalidIndex, ["data/index.json", "not a JSON object"]) { try decode("[1,2") }
        assertShardError(.invalidIndex, ["data/index.json", "missing key", "template"]) { try decode(#"{"format":"vlmtune-shards","version":1}"#) }
        let base = #"{"format":"vlmtune-shards","version":1,"template":"plain","tokenizer_sha256":"x","image":{"size":64,"mode":"pad","storage":"pixels","mean":[],"std":[]},"skipped":{},"source":null,"shards":"#
        assertShardError(.invalidIndex, ["shards[0].samples"]) { try decode(base + #"[{"file":"a.h5","samples":"many","tokens":1,"images":0,"sha256":""}]}"#) }
        assertShardError(.invalidIndex, ["../evil.h5", "not a plain file name"]) { try decode(base + #"[{"file":"../evil.h5","samples":1,"tokens":1,"images":0,"sha256":""}]}"#) }
        assertShardError(.invalidIndex, ["image.storage"]) { try decode(base.replacingOccurrences(of: "\"pixels\"", with: "\"video\"") + "[]}") }
    }

    func testMissingIndexIsAMissingFile() {
        assertShardError(.missingFile, [folder.file("index.json")]) { try ShardIndex.read(fromFolder: folder.path) }
    }
}
