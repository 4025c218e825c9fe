import CImaging
import Foundation

extension RGBImage {
    /// The image as an 8-bit RGB PNG. `compressionLevel` is zlib's 0 (none) ... 9 (smallest).
    public func pngData(compressionLevel: Int = 6) throws -> Data {
        try ImageEncoding.png(pixels, width: width, height: height, channels: 3,
                              compressionLevel: compressionLevel)
    }

    /// The image as a baseline JPEG with 4:2:0 chroma subsampling; `quality` 1...100
    /// (75 is Pillow's default).
    public func jpegData(quality: Int = 75) throws -> Data {
        try ImageEncoding.jpeg(pixels, width: width, height: height, channels: 3, quality: quality)
    }
}

extension GreyImage {
    /// The image as an 8-bit greyscale PNG.
    public func pngData(compressionLevel: Int = 6) throws -> Data {
        try ImageEncoding.png(pixels, width: width, height: height, channels: 1,
                              compressionLevel: compressionLevel)
    }

    /// The image as a baseline greyscale JPEG; `quality` 1...100.
    public func jpegData(quality: Int = 75) throws -> Data {
        try ImageEncoding.jpeg(pixels, width: width, height: height, channels: 1, quality: quality)
    }
}

/// The bridge to CImaging's encoders.
enum ImageEncoding {
    static func png(_ pixels: [UInt8], width: Int, height: Int, channels: Int,
                    compressionLevel: Int) throws -> Data {
        try encode("PNG") { output, text in
            vlm_png_encode(pixels, Int32(clamping: width), Int32(clamping: height),
                           Int32(channels), Int32(clamping: compressionLevel), &output,
                           text.baseAddress, text.count)
        }
    }

    static func jpeg(_ pixels: [UInt8], width: Int, height: Int, channels: Int,
                     quality: Int) throws -> Data {
        try encode("JPEG") { output, text in
            vlm_jpeg_encode(pixels, Int32(clamping: width), Int32(clamping: height),
                            Int32(channels), Int32(clamping: quality), &output,
                            text.baseAddress, text.count)
        }
    }

    private static func encode(
        _ formatName: String,
        _ call: (inout vlm_encoded_image, UnsafeMutableBufferPointer<CChar>) -> vlm_image_status
    ) throws -> Data {
        var output = vlm_encoded_image()
        var message = [CChar](repeating: 0, count: 256)
        let status = message.withUnsafeMutableBufferPointer { call(&output, $0) }
        guard status == VLM_IMAGE_OK, let bytes = output.bytes else {
            let (kind, _) = CImagingStatus.describe(status)
            throw ImagingError(kind, "cannot encode \(formatName): \(String(cString: message))")
        }
        defer { vlm_image_free(bytes) }
        return Data(bytes: bytes, count: output.size)
    }
}
