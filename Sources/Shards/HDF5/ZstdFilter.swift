import CHDF5
import CZstd
#if canImport(Glibc)
import Glibc
#endif

/// The Zstandard HDF5 filter (registered id 32015), compatible with the HDF5Plugin-Zstandard
/// plugin that hdf5plugin ships: each chunk is one zstd frame, and `cd_values[0]`, when
/// present, is the compression level (read as a signed int, so negative "fast" levels work).
///
/// Decompression accepts any valid zstd data: a frame that records its content size is
/// decoded in one call; a frame without it (written by a streaming compressor), or several
/// concatenated frames, is decoded with the streaming API into a growing buffer.
///
/// Buffers are exchanged with HDF5 through `malloc`/`free`: the filter receives a buffer HDF5
/// allocated and must hand back one HDF5 can free. Debian's production build of HDF5
/// allocates with the C library (`H5MM_malloc` is `malloc` without the debug sanity checks),
/// as the hdf5plugin filters also assume.
enum ZstdFilter {
    static let id: Int32 = 32015
    static let defaultLevel: Int32 = 3

    /// HDF5 keeps the class's `name` pointer, so it must live as long as the process.
    private static let name: UnsafePointer<CChar> = UnsafePointer(strdup("Zstandard compression: vlmtune (HDF5 filter 32015)")!)

    /// Registers the filter with HDF5. Call under `HDF5Library`'s lock (its setup does).
    static func register() -> Bool {
        var filterClass = H5Z_class2_t(
            version: 1, // H5Z_CLASS_T_VERS
            id: H5Z_filter_t(id),
            encoder_present: 1,
            decoder_present: 1,
            name: name,
            can_apply: nil,
            set_local: nil,
            filter: filterFunction)
        return H5Zregister(&filterClass) >= 0
    }

    /// The callback HDF5 calls for every chunk. Returns the number of valid bytes in the
    /// (replaced) buffer, or 0 to report a failure to HDF5, which then fails the read or
    /// write with a filter error. It never traps.
    static let filterFunction: H5Z_func_t = { flags, cdCount, cdValues, byteCount, bufferSize, buffer in
        guard let bufferSize, let buffer, let input = buffer.pointee else { return 0 }
        let output: (pointer: UnsafeMutableRawPointer, capacity: Int, length: Int)?
        if flags & HDF5.reverseFlag != 0 {
            output = decompress(UnsafeRawPointer(input), count: byteCount)
        } else {
            let level = cdCount > 0 && cdValues != nil ? Int32(bitPattern: cdValues![0]) : defaultLevel
            output = compress(UnsafeRawPointer(input), count: byteCount, level: level)
        }
        guard let output else { return 0 }
        free(input)
        buffer.pointee = output.pointer
        bufferSize.pointee = output.capacity
        return output.length
    }

    /// One zstd frame holding `count` bytes, at `level` (clamped to zstd's range).
    static func compress(_ source: UnsafeRawPointer, count: Int, level: Int32) -> (pointer: UnsafeMutableRawPointer, capacity: Int, length: Int)? {
        let clamped = min(max(level, ZSTD_minCLevel()), ZSTD_maxCLevel())
        let capacity = ZSTD_compressBound(count)
        guard ZSTD_isError(capacity) == 0, let destination = malloc(max(capacity, 1)) else { return nil }
        let length = ZSTD_compress(destination, capacity, source, count, clamped)
        guard ZSTD_isError(length) == 0 else {
            free(destination)
            return nil
        }
        return (destination, capacity, length)
    }

    /// The bytes that the zstd data in `source` decodes to, or nil if it is not valid zstd.
    static func decompress(_ source: UnsafeRawPointer, count: Int) -> (pointer: UnsafeMutableRawPointer, capacity: Int, length: Int)? {
        let contentSize = ZSTD_getFrameContentSize(source, count)
        if contentSize == ZSTD_CONTENTSIZE_ERROR { return nil }
        if contentSize != ZSTD_CONTENTSIZE_UNKNOWN, contentSize <= UInt64(Int.max / 2) {
            let size = Int(contentSize)
            guard let destination = malloc(max(size, 1)) else { return nil }
            let length = ZSTD_decompress(destination, size, source, count)
            if ZSTD_isError(length) == 0 { return (destination, max(size, 1), length) }
            free(destination)
            // Several frames, or a size field that lies: the streaming decoder sorts it out.
        }
        return decompressStreaming(source, count: count, sizeHint: contentSize == ZSTD_CONTENTSIZE_UNKNOWN ? 0 : Int(clamping: contentSize))
    }

    /// Streaming decode into a buffer that doubles when full; handles frames without a
    /// recorded size and concatenated frames. Fails on truncated or corrupt input.
    private static func decompressStreaming(_ source: UnsafeRawPointer, count: Int, sizeHint: Int) -> (pointer: UnsafeMutableRawPointer, capacity: Int, length: Int)? {
        guard let stream = ZSTD_createDStream() else { return nil }
        defer { ZSTD_freeDStream(stream) }
        guard ZSTD_isError(ZSTD_initDStream(stream)) == 0 else { return nil }

        var capacity = max(sizeHint, count * 4, 1 << 16)
        guard var destination = malloc(capacity) else { return nil }
        var input = ZSTD_inBuffer(src: source, size: count, pos: 0)
        var produced = 0
        var lastResult = 0
        while true {
            if produced == capacity {
                guard capacity <= Int.max / 2, let grown = realloc(destination, capacity * 2) else {
                    free(destination)
                    return nil
                }
                destination = grown
                capacity *= 2
            }
            var output = ZSTD_outBuffer(dst: destination, size: capacity, pos: produced)
            lastResult = ZSTD_decompressStream(stream, &output, &input)
            produced = output.pos
            if ZSTD_isError(lastResult) != 0 {
                free(destination)
                return nil
            }
            // Done when all input is consumed, the last frame is complete (result 0) and the
            // decoder had room to spare (so nothing is left buffered inside it).
            if input.pos == input.size && lastResult == 0 && produced < capacity { break }
            // All input consumed, frame unfinished, and the output was not the limit:
            // the data is truncated.
            if input.pos == input.size && lastResult != 0 && produced < capacity {
                free(destination)
                return nil
            }
        }
        return (destination, capacity, produced)
    }
}
