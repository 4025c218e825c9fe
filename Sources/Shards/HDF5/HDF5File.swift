import CHDF5
import Foundation

/// An open HDF5 file with the few operations shards need: groups, scalar attributes, and
/// opening datasets. `displayName` is the path errors mention (the final shard name, not
/// the temporary file the writer fills).
///
/// Methods that take no lock themselves must be called under `HDF5Library.locked`.
final class HDF5File {
    let handle: HDF5Handle
    let displayName: String

    private init(handle: HDF5Handle, displayName: String) {
        self.handle = handle
        self.displayName = displayName
    }

    /// Creates (or truncates) `path`. Files use the library's default (earliest) format
    /// bounds, so any HDF5 from 1.8 on, and h5py, can read them.
    static func create(at path: String, displayName: String) throws -> HDF5File {
        try HDF5Library.requireReady(displayName)
        return try HDF5Library.locked {
            let access = try makeFileAccessList(displayName)
            let id = H5Fcreate(path, HDF5.truncate, HDF5.defaultList, access.id)
            guard id >= 0 else { throw failure(.ioFailure, displayName, nil, "cannot create HDF5 file") }
            return HDF5File(handle: HDF5Handle(id, .file), displayName: displayName)
        }
    }

    /// Opens `path` read-only; a missing file and a file HDF5 rejects (truncated, corrupt,
    /// not HDF5) are told apart.
    static func openReadOnly(_ path: String) throws -> HDF5File {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ShardError(.missingFile, file: path, "no such file")
        }
        try HDF5Library.requireReady(path)
        return try HDF5Library.locked {
            let access = try makeFileAccessList(path)
            let id = H5Fopen(path, HDF5.readOnly, access.id)
            guard id >= 0 else {
                throw failure(.unreadableFile, path, nil, "not a readable HDF5 file (truncated or corrupt?)")
            }
            return HDF5File(handle: HDF5Handle(id, .file), displayName: path)
        }
    }

    /// Closing the file closes everything still open in it ("strong" close degree), so a
    /// reader's deinit order does not matter.
    private static func makeFileAccessList(_ name: String) throws -> HDF5Handle {
        let id = H5Pcreate(HDF5.fileAccessClass)
        guard id >= 0 else { throw failure(.ioFailure, name, nil, "H5Pcreate failed") }
        let list = HDF5Handle(id, .propertyList)
        guard H5Pset_fclose_degree(id, H5F_CLOSE_STRONG) >= 0 else { throw failure(.ioFailure, name, nil, "H5Pset_fclose_degree failed") }
        return list
    }

    /// Closes the file, reporting a failure (its last metadata is written now). Every
    /// dataset and attribute opened in it must have been released first: identifiers are
    /// reused, so a stale handle closed later could close someone else's object.
    func close() throws {
        guard handle.close() else { throw HDF5Library.locked { failure(.ioFailure, nil, "cannot close the file") } }
    }

    /// An error that carries HDF5's own reason for the last failed call.
    static func failure(_ kind: ShardError.Kind, _ file: String, _ object: String?, _ what: String) -> ShardError {
        if let reason = HDF5Library.takeErrorMessage() {
            return ShardError(kind, file: file, object: object, "\(what): \(reason)")
        }
        return ShardError(kind, file: file, object: object, what)
    }

    func failure(_ kind: ShardError.Kind, _ object: String?, _ what: String) -> ShardError {
        Self.failure(kind, displayName, object, what)
    }

    // MARK: Structure

    func createGroup(_ path: String) throws {
        let id = H5Gcreate2(handle.id, path, HDF5.defaultList, HDF5.defaultList, HDF5.defaultList)
        guard id >= 0 else { throw failure(.ioFailure, path, "cannot create group") }
        _ = H5Gclose(id)
    }

    /// Whether an absolute path (`/tokens/offsets`) names an object; checks each link in
    /// turn, since H5Lexists fails rather than answers when a parent group is missing.
    func exists(_ path: String) -> Bool {
        var prefix = ""
        for component in path.split(separator: "/") {
            prefix += "/" + component
            guard H5Lexists(handle.id, prefix, HDF5.defaultList) > 0 else { return false }
        }
        return true
    }

    // MARK: Root attributes

    /// Writes a scalar vlen UTF-8 string attribute, the way h5py writes a Python `str`.
    func writeAttribute(_ name: String, string value: String) throws {
        guard let type = HDF5ElementType.variableString.makeFileType() else { throw failure(.ioFailure, "@" + name, "cannot make string type") }
        try writeScalarAttribute(name, type: type.id) { pointer in
            try value.withCString { text in
                var address: UnsafePointer<CChar>? = text
                guard H5Awrite(pointer, type.id, &address) >= 0 else { throw failure(.ioFailure, "@" + name, "cannot write attribute") }
            }
        }
    }

    /// Writes a scalar int64 attribute, the way h5py writes a Python `int`.
    func writeAttribute(_ name: String, integer value: Int64) throws {
        try writeScalarAttribute(name, type: HDF5.littleInt64) { attribute in
            var stored = value
            guard H5Awrite(attribute, HDF5.nativeInt64, &stored) >= 0 else { throw failure(.ioFailure, "@" + name, "cannot write attribute") }
        }
    }

    private func writeScalarAttribute(_ name: String, type: hid_t, write: (hid_t) throws -> Void) throws {
        let space = H5Screate(H5S_SCALAR)
        guard space >= 0 else { throw failure(.ioFailure, "@" + name, "H5Screate failed") }
        let spaceHandle = HDF5Handle(space, .dataspace)
        let id = H5Acreate2(handle.id, name, type, spaceHandle.id, HDF5.defaultList, HDF5.defaultList)
        guard id >= 0 else { throw failure(.ioFailure, "@" + name, "cannot create attribute") }
        let attribute = HDF5Handle(id, .attribute)
        try write(attribute.id)
    }

    /// A root attribute as a string (vlen or fixed-length), nil when it does not exist.
    func readStringAttribute(_ name: String) throws -> String? {
        guard let attribute = try openAttribute(name) else { return nil }
        let type = try attributeType(attribute, name)
        guard H5Tget_class(type.id) == H5T_STRING else {
            throw ShardError(.wrongType, file: displayName, object: "@" + name, "has type \(HDF5ElementType.describe(type.id)), expected a string")
        }
        try requireSingleValue(attribute, name)
        if H5Tis_variable_str(type.id) > 0 {
            guard let memoryType = HDF5ElementType.variableString.makeMemoryType(matching: type.id) else { throw failure(.ioFailure, "@" + name, "cannot make string type") }
            var text: UnsafeMutablePointer<CChar>?
            guard H5Aread(attribute.id, memoryType.id, &text) >= 0 else { throw failure(.ioFailure, "@" + name, "cannot read attribute") }
            defer { if let text { H5free_memory(text) } }
            return text.map { String(cString: $0) } ?? ""
        }
        let size = H5Tget_size(type.id)
        var bytes = [UInt8](repeating: 0, count: size + 1)
        guard H5Aread(attribute.id, type.id, &bytes) >= 0 else { throw failure(.ioFailure, "@" + name, "cannot read attribute") }
        let end = bytes.firstIndex(of: 0) ?? size
        return String(decoding: bytes[..<end], as: UTF8.self).trimmingCharacters(in: .whitespaces)
    }

    /// A root attribute as an integer, nil when it does not exist.
    func readIntegerAttribute(_ name: String) throws -> Int64? {
        guard let attribute = try openAttribute(name) else { return nil }
        let type = try attributeType(attribute, name)
        guard H5Tget_class(type.id) == H5T_INTEGER else {
            throw ShardError(.wrongType, file: displayName, object: "@" + name, "has type \(HDF5ElementType.describe(type.id)), expected an integer")
        }
        try requireSingleValue(attribute, name)
        var value: Int64 = 0
        guard H5Aread(attribute.id, HDF5.nativeInt64, &value) >= 0 else { throw failure(.ioFailure, "@" + name, "cannot read attribute") }
        return value
    }

    private func openAttribute(_ name: String) throws -> HDF5Handle? {
        let present = H5Aexists(handle.id, name)
        guard present >= 0 else { throw failure(.ioFailure, "@" + name, "cannot look up attribute") }
        guard present > 0 else { return nil }
        let id = H5Aopen(handle.id, name, HDF5.defaultList)
        guard id >= 0 else { throw failure(.ioFailure, "@" + name, "cannot open attribute") }
        return HDF5Handle(id, .attribute)
    }

    private func attributeType(_ attribute: HDF5Handle, _ name: String) throws -> HDF5Handle {
        let id = H5Aget_type(attribute.id)
        guard id >= 0 else { throw failure(.ioFailure, "@" + name, "cannot read attribute type") }
        return HDF5Handle(id, .datatype)
    }

    private func requireSingleValue(_ attribute: HDF5Handle, _ name: String) throws {
        let space = H5Aget_space(attribute.id)
        guard space >= 0 else { throw failure(.ioFailure, "@" + name, "cannot read attribute shape") }
        let spaceHandle = HDF5Handle(space, .dataspace)
        guard H5Sget_simple_extent_npoints(spaceHandle.id) == 1 else {
            throw ShardError(.wrongShape, file: displayName, object: "@" + name, "holds \(H5Sget_simple_extent_npoints(spaceHandle.id)) values, expected one")
        }
    }
}
