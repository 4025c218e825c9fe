import CHDF5

/// The element types a shard uses, with the HDF5 types to write and read them and the check
/// that a dataset's stored type is the one the layout asks for.
enum HDF5ElementType: Equatable {
    case int32
    case int64
    case uint8
    /// vlen uint8 (`h5py.vlen_dtype(np.uint8)`).
    case variableBytes
    /// vlen string, UTF-8 (`h5py.string_dtype()`); ASCII is accepted on read.
    case variableString

    var name: String {
        switch self {
        case .int32: return "int32"
        case .int64: return "int64"
        case .uint8: return "uint8"
        case .variableBytes: return "vlen uint8"
        case .variableString: return "vlen str"
        }
    }

    /// The type to create a dataset with: little-endian integers, as numpy writes them.
    /// Call under the library lock.
    func makeFileType() -> HDF5Handle? {
        switch self {
        case .int32: return copy(HDF5.littleInt32)
        case .int64: return copy(HDF5.littleInt64)
        case .uint8: return copy(HDF5.littleUInt8)
        case .variableBytes, .variableString: return makeMemoryType(matching: nil)
        }
    }

    /// The type in memory: native integers, `hvl_t` for vlen bytes, `char *` for strings
    /// (with the file's character set, since HDF5 does not convert between sets).
    /// Call under the library lock.
    func makeMemoryType(matching fileType: hid_t?) -> HDF5Handle? {
        switch self {
        case .int32: return copy(HDF5.nativeInt32)
        case .int64: return copy(HDF5.nativeInt64)
        case .uint8: return copy(HDF5.nativeUInt8)
        case .variableBytes:
            let id = H5Tvlen_create(HDF5.nativeUInt8)
            return id >= 0 ? HDF5Handle(id, .datatype) : nil
        case .variableString:
            guard let type = copy(HDF5.cString) else { return nil }
            let charset = fileType.map { H5Tget_cset($0) } ?? H5T_CSET_UTF8
            guard H5Tset_size(type.id, HDF5.variableSize) >= 0,
                  H5Tset_cset(type.id, charset == H5T_CSET_ERROR ? H5T_CSET_UTF8 : charset) >= 0
            else { return nil }
            return type
        }
    }

    /// Whether a stored type is this one (any byte order for integers).
    /// Call under the library lock.
    func matches(_ type: hid_t) -> Bool {
        switch self {
        case .int32: return Self.isInteger(type, size: 4, signed: true)
        case .int64: return Self.isInteger(type, size: 8, signed: true)
        case .uint8: return Self.isInteger(type, size: 1, signed: false)
        case .variableBytes:
            guard H5Tget_class(type) == H5T_VLEN else { return false }
            let base = H5Tget_super(type)
            guard base >= 0 else { return false }
            defer { H5Tclose(base) }
            return Self.isInteger(base, size: 1, signed: false)
        case .variableString:
            return H5Tget_class(type) == H5T_STRING && H5Tis_variable_str(type) > 0
        }
    }

    private func copy(_ type: hid_t) -> HDF5Handle? {
        let id = H5Tcopy(type)
        return id >= 0 ? HDF5Handle(id, .datatype) : nil
    }

    private static func isInteger(_ type: hid_t, size: Int, signed: Bool) -> Bool {
        H5Tget_class(type) == H5T_INTEGER && H5Tget_size(type) == size
            && H5Tget_sign(type) == (signed ? H5T_SGN_2 : H5T_SGN_NONE)
    }

    /// A short name for any stored type, for error messages ("float32", "vlen int32",
    /// "fixed str[12]", "compound").
    static func describe(_ type: hid_t) -> String {
        let size = H5Tget_size(type)
        switch H5Tget_class(type) {
        case H5T_INTEGER:
            return (H5Tget_sign(type) == H5T_SGN_NONE ? "uint" : "int") + String(size * 8)
        case H5T_FLOAT:
            return "float" + String(size * 8)
        case H5T_STRING:
            return H5Tis_variable_str(type) > 0 ? "vlen str" : "fixed str[\(size)]"
        case H5T_VLEN:
            let base = H5Tget_super(type)
            guard base >= 0 else { return "vlen" }
            defer { H5Tclose(base) }
            return "vlen " + describe(base)
        case H5T_COMPOUND: return "compound"
        case H5T_ARRAY: return "array"
        case H5T_ENUM: return "enum"
        case H5T_OPAQUE: return "opaque"
        case H5T_REFERENCE: return "reference"
        case H5T_BITFIELD: return "bitfield"
        default: return "unknown type"
        }
    }
}
