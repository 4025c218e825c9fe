import XCTest
@testable import Tokenizers

final class JSONParserTests: XCTestCase {
    func testValuesKeepOrderAndLiterals() throws {
        let value = try JSONParser.parse(#" {"b": [1, -2.5e3, true, null], "a": "x\u00e9\ud83d\ude00\n\"", "b": 17} "#)
        XCTAssertEqual(value.members?.map(\.key), ["b", "a", "b"])
        XCTAssertEqual(value["b"], .number("17"), "the last of a repeated key wins, as in Python")
        XCTAssertEqual(value["a"]?.stringValue, "xé😀\n\"")
        XCTAssertEqual(value.members?[0].value, .array([.number("1"), .number("-2.5e3"), .bool(true), .null]))
        XCTAssertEqual(value["b"]?.intValue, 17)
    }

    func testErrorsCarryTheirOffset() {
        func offset(_ text: String) -> Int? {
            do {
                _ = try JSONParser.parse(text)
                return nil
            } catch let error as JSONParseError {
                return error.offset
            } catch {
                return nil
            }
        }
        XCTAssertEqual(offset(#"{"a" 1}"#), 5)
        XCTAssertEqual(offset(#"[1, 2,]"#), 6)
        XCTAssertEqual(offset(#"{"a": 01}"#), 6, "at the number with the leading zero")
        XCTAssertEqual(offset(#"{"a": "x"} x"#), 11)
        XCTAssertEqual(offset("\"tab\there\""), 4)
        XCTAssertEqual(offset(#"{"a": NaN}"#), 6)
        XCTAssertEqual(offset(#"{"a": "#), 6)
        XCTAssertEqual(offset(String(repeating: "[", count: 600)), 512)
        XCTAssertNil(offset(#"{"fine": [1.5, {"x": []}]}"#))
    }

    /// Lone surrogates (Python's json writes them) become U+FFFD instead of failing the file;
    /// errors on later lines carry their line and column.
    func testLoneSurrogatesAndErrorLines() throws {
        XCTAssertEqual(try JSONParser.parse(#""a\ud83db""#), .string("a\u{FFFD}b"))
        XCTAssertEqual(try JSONParser.parse(#""\udc00""#), .string("\u{FFFD}"))
        XCTAssertThrowsError(try JSONParser.parse("{\n  \"a\": 1,\n  \"b\" 2\n}")) { error in
            let e = error as? JSONParseError
            XCTAssertEqual(e?.line, 3)
            XCTAssertEqual(e?.column, 7)
            XCTAssertEqual(e?.offset, 18)
        }
    }
}
