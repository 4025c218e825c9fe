import CImaging
import Foundation

extension RGBImage {
    /// Decodes a PNG or JPEG, chosen by the bytes' signature, to RGB exactly as Pillow's
    /// `Image.open(f).convert("RGB")` does: alpha and transparency are dropped (not
    /// composited), 16-bit samples become 8-bit the way Pillow makes them, CMYK JPEGs are
    /// read as Adobe's inverted CMYK. `source` names the file in error messages.
    ///
    /// Throws `ImagingError` for empty, unknown, corrupt, truncated or unsupported data; it
    /// never prints and never stops the process.
    public init(decoding data: Data, source: String? = nil) throws {
        self = try data.withUnsafeBytes { try ImageDecoding.decode($0, source: source) }
    }

    /// Decodes raw bytes in place (for instance a slice of a memory-mapped shard).
    public init(decoding bytes: UnsafeRawBufferPointer, source: String? = nil) throws {
        self = try ImageDecoding.decode(bytes, source: source)
    }

    /// Reads and decodes a PNG or JPEG file; errors name the file's path.
    public init(contentsOf url: URL) throws {
        let path = url.path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw ImagingError(.unreadable, "no such file", source: path)
        }
        guard !isFolder.boolValue else {
            throw ImagingError(.unreadable, "is a folder, not an image file", source: path)
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ImagingError(.unreadable, "cannot read the file (\(error.localizedDescription))",
                               source: path)
        }
        try self.init(decoding: data, source: path)
    }
}

/// The bridge to CImaging's decoders.
enum ImageDecoding {
    static func decode(_ bytes: UnsafeRawBufferPointer, source: String?) throws -> RGBImage {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), !bytes.isEmpty
        else {
            throw ImagingError(.unknownFormat, "empty file, not an image", source: source)
        }
        guard let format = ImageFormat.detect(bytes) else {
            let head = bytes.prefix(8).map { String(format: "%02x", $0) }.joined(separator: " ")
            throw ImagingError(.unknownFormat, "not a PNG or JPEG file (it starts with \(head))",
                               source: source)
        }

        var decoded = vlm_decoded_image()
        var message = [CChar](repeating: 0, count: 256)
        let status = message.withUnsafeMutableBufferPointer { text in
            switch format {
            case .png:
                return vlm_png_decode_rgb(base, bytes.count, &decoded, text.baseAddress, text.count)
            case .jpeg:
                return vlm_jpeg_decode_rgb(base, bytes.count, &decoded, text.baseAddress, text.count)
            }
        }
        guard status == VLM_IMAGE_OK, let pixels = decoded.pixels else {
            let (kind, adjective) = CImagingStatus.describe(status)
            let detail = String(cString: message)
            throw ImagingError(kind, "\(adjective) \(format.displayName): \(detail)", source: source)
        }
        defer { vlm_image_free(pixels) }
        let width = Int(decoded.width), height = Int(decoded.height)
        let copy = [UInt8](UnsafeBufferPointer(start: pixels, count: width * height * 3))
        return RGBImage(width: width, height: height, pixels: copy)
    }
}

/// Maps CImaging's status codes to error kinds and the word that starts their message.
enum CImagingStatus {
    static func describe(_ status: vlm_image_status) -> (ImagingError.Kind, String) {
        switch status {
        case VLM_IMAGE_TRUNCATED: return (.truncated, "truncated")
        case VLM_IMAGE_UNSUPPORTED: return (.unsupported, "unsupported")
        case VLM_IMAGE_TOO_LARGE: return (.tooLarge, "too large")
        case VLM_IMAGE_OUT_OF_MEMORY: return (.outOfMemory, "out of memory for")
        case VLM_IMAGE_INVALID_ARGUMENT: return (.invalidArgument, "invalid")
        default: return (.corrupt, "corrupt")
        }
    }
}
