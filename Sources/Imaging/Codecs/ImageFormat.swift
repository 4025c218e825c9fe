import Foundation

/// The encoded formats vlmtune reads and writes.
public enum ImageFormat: String, Sendable, CaseIterable, Codable {
    case png
    case jpeg

    /// The format the bytes announce by their signature, whatever the file's name says.
    /// PNG starts with `89 50 4E 47 0D 0A 1A 0A`; JPEG with the SOI marker and the start
    /// of the next marker, `FF D8 FF`.
    public static func detect<Bytes: Collection>(_ bytes: Bytes) -> ImageFormat?
    where Bytes.Element == UInt8 {
        let head = Array(bytes.prefix(8))
        if head == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] { return .png }
        if head.count >= 3, head[0] == 0xFF, head[1] == 0xD8, head[2] == 0xFF { return .jpeg }
        return nil
    }

    /// The name users know the format by, for messages.
    public var displayName: String { self == .png ? "PNG" : "JPEG" }
}
