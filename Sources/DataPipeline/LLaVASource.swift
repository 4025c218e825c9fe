import Foundation
import Tokenizers

/// One entry of a LLaVA-format JSON file (`blip_laion_cc_sbu_558k.json`,
/// `llava_v1_5_mix665k.json`): an id, zero or more image paths (`image` is a string or a
/// list), optional video frames, and the conversation.
public struct LLaVAItem {
    public var id: String
    public var images: [String]
    /// Frame image paths of a video sample (`video` given as a list of frames).
    public var videoFrames: [String]?
    public var conversation: [ConversationTurn]
    /// Position of the entry in the file (0-based), for messages.
    public var position: Int
}

/// Reads a LLaVA JSON array. A malformed file is an error naming the line and column; a
/// malformed entry is returned as a skip reason for the converter to count.
public enum LLaVASource {
    public enum Entry {
        case item(LLaVAItem)
        case invalid(position: Int, reason: String, detail: String)
    }

    public static func read(_ path: String) throws -> [Entry] {
        guard let data = FileManager.default.contents(atPath: path) else { throw ConversionError("cannot read", at: path) }
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw ConversionError("malformed JSON (\(describe(error, in: data)))", at: path)
        }
        guard let list = json as? [Any] else { throw ConversionError("a LLaVA data file is a JSON array of samples", at: path) }
        return list.enumerated().map { parse($0.element, position: $0.offset) }
    }

    static func parse(_ value: Any, position: Int) -> Entry {
        guard let obj = value as? [String: Any] else { return .invalid(position: position, reason: "not_an_object", detail: "entry \(position) is not an object") }
        let id: String
        if let s = obj["id"] as? String { id = s } else if let n = obj["id"] as? NSNumber { id = n.stringValue } else { id = "#\(position)" }
        var images: [String] = []
        if let s = obj["image"] as? String { images = [s] } else if let l = obj["image"] as? [String] { images = l } else if obj["image"] != nil && !(obj["image"] is NSNull) {
            return .invalid(position: position, reason: "invalid_image_field", detail: "entry \(id): image must be a path or a list of paths")
        }
        var frames: [String]?
        if let l = obj["video"] as? [String] { frames = l } else if obj["video"] is String {
            return .invalid(position: position, reason: "video_file_unsupported", detail: "entry \(id): video files are not supported; give the frames as a list of images")
        }
        guard let conv = obj["conversations"] as? [Any] else {
            return .invalid(position: position, reason: "missing_conversations", detail: "entry \(id) has no conversations list")
        }
        var turns: [ConversationTurn] = []
        for (k, t) in conv.enumerated() {
            guard let d = t as? [String: Any], let from = d["from"] as? String, let value = d["value"] as? String else {
                return .invalid(position: position, reason: "malformed_turn", detail: "entry \(id): turn \(k) needs string from and value")
            }
            turns.append(ConversationTurn(from: from, value: value))
        }
        return .item(LLaVAItem(id: id, images: images, videoFrames: frames, conversation: turns, position: position))
    }

    /// "line 12, column 5" for a JSONSerialization error that reports a character index.
    static func describe(_ error: Error, in data: Data) -> String {
        let text = "\(error)"
        let ns = error as NSError
        var index: Int?
        if let i = ns.userInfo["NSJSONSerializationErrorIndex"] as? Int { index = i }
        if index == nil, let r = text.range(of: #"character (\d+)"#, options: .regularExpression) {
            index = Int(text[r].split(separator: " ").last!)
        }
        guard let i = index else { return ns.localizedDescription }
        var line = 1, col = 1
        for b in data.prefix(i) {
            if b == 0x0A { line += 1; col = 1 } else { col += 1 }
        }
        return "line \(line), column \(col)"
    }
}

/// A conversion problem, as one line: what, then where.
public struct ConversionError: Error, CustomStringConvertible {
    public let description: String
    public init(_ what: String, at location: String) { description = "\(what): \(location)" }
}
