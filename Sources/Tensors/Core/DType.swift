/// Element types a tensor can hold.
///
/// All arithmetic is done in `float32`. `bfloat16` and `float16` are storage types for frozen
/// weights (converted to f32 when used); `int32`/`int64` hold token ids and indices; `uint8`
/// holds image bytes.
public enum DType: String, Sendable, CaseIterable {
    case float32 = "F32"
    case bfloat16 = "BF16"
    case float16 = "F16"
    case int32 = "I32"
    case int64 = "I64"
    case uint8 = "U8"

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .float32, .int32: return 4
        case .bfloat16, .float16: return 2
        case .int64: return 8
        case .uint8: return 1
        }
    }

    public var isFloatingPoint: Bool { self == .float32 || self == .bfloat16 || self == .float16 }
}
