import CHDF5
import Foundation

/// The one door to the HDF5 C library.
///
/// Debian's serial HDF5 is not built thread-safe: two threads inside the library at once
/// corrupt its global state. Every call into HDF5 therefore runs inside `locked`, which holds
/// one process-wide lock. The lock is recursive so that helpers (and handle `deinit`s that
/// run while a locked region releases objects) may lock again without deadlocking.
///
/// The first entry into `locked` also prepares the library, once per process: `H5open()`
/// (which initialises the global type and property-list ids that Swift reads through the
/// `H5T_*_g` / `H5P_CLS_*_g` variables), switching off HDF5's automatic error printing (our
/// errors carry HDF5's message instead, and nothing is written to stderr), and registering
/// the Zstandard filter (id 32015).
enum HDF5Library {
    private static let lock = NSRecursiveLock()

    /// Swift runs a global's initialiser exactly once, thread-safely; we only touch it while
    /// holding `lock`, so the HDF5 calls inside also run under the lock.
    private static let prepared: Bool = {
        guard H5open() >= 0 else { return false }
        _ = H5Eset_auto2(HDF5.defaultErrorStack, nil, nil)
        return ZstdFilter.register()
    }()

    /// Runs `body` holding the process-wide HDF5 lock, after the one-time setup.
    /// (The setup is forced with real control flow: the package builds with `-Ounchecked`,
    /// where a `precondition`'s condition is not even evaluated.)
    static func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        if !prepared { setupFailed = true }
        return try body()
    }

    /// Set (under the lock) when `H5open` or the filter registration failed.
    private static var setupFailed = false

    /// Throws if the library could not be set up; called before creating or opening a file.
    static func requireReady(_ file: String) throws {
        let failed = locked { setupFailed }
        if failed {
            throw ShardError(.ioFailure, file: file, "the HDF5 library could not be initialised (H5open or registering the zstd filter failed)")
        }
    }

    /// Whether the Zstandard filter is registered in this process (forces the setup).
    static var zstdFilterAvailable: Bool {
        locked { H5Zfilter_avail(H5Z_filter_t(ZstdFilter.id)) > 0 }
    }

    /// The most specific message on HDF5's error stack (the innermost failure, e.g.
    /// "truncated file: eof = 800, ..."), then clears the stack. Call it under the lock,
    /// right after a failed call.
    static func takeErrorMessage() -> String? {
        var message: String?
        withUnsafeMutablePointer(to: &message) { out in
            _ = H5Ewalk2(HDF5.defaultErrorStack, H5E_WALK_UPWARD, { position, error, clientData in
                guard position == 0, let error, let clientData, let description = error.pointee.desc else { return 0 }
                let text = String(cString: description).trimmingCharacters(in: .whitespacesAndNewlines)
                clientData.assumingMemoryBound(to: String?.self).pointee = text.isEmpty ? nil : text
                return 0
            }, out)
        }
        _ = H5Eclear2(HDF5.defaultErrorStack)
        return message
    }
}

/// Values that the HDF5 headers define as macros Swift cannot import (casts, or expressions
/// that call `H5open()`), and the global type ids, which are valid once `H5open()` has run
/// (always true inside `HDF5Library.locked`).
enum HDF5 {
    static let defaultList: hid_t = 0          // H5P_DEFAULT
    static let all: hid_t = 0                  // H5S_ALL
    static let defaultErrorStack: hid_t = 0    // H5E_DEFAULT
    static let unlimited: hsize_t = .max       // H5S_UNLIMITED
    static let variableSize: Int = -1          // H5T_VARIABLE, (size_t)-1 as Swift's Int
    static let readOnly: UInt32 = 0x0000       // H5F_ACC_RDONLY
    static let truncate: UInt32 = 0x0002       // H5F_ACC_TRUNC
    static let reverseFlag: UInt32 = 0x0100    // H5Z_FLAG_REVERSE
    static let mandatoryFilter: UInt32 = 0x0000 // H5Z_FLAG_MANDATORY

    static var nativeInt32: hid_t { H5T_NATIVE_INT32_g }
    static var nativeInt64: hid_t { H5T_NATIVE_INT64_g }
    static var nativeUInt8: hid_t { H5T_NATIVE_UINT8_g }
    static var littleInt32: hid_t { H5T_STD_I32LE_g }
    static var littleInt64: hid_t { H5T_STD_I64LE_g }
    static var littleUInt8: hid_t { H5T_STD_U8LE_g }
    static var cString: hid_t { H5T_C_S1_g }

    static var fileAccessClass: hid_t { H5P_CLS_FILE_ACCESS_ID_g }
    static var datasetCreateClass: hid_t { H5P_CLS_DATASET_CREATE_ID_g }
    static var datasetAccessClass: hid_t { H5P_CLS_DATASET_ACCESS_ID_g }
}
