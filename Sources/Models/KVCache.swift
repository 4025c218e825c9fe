import Tensors

/// Keys and values of earlier positions, per layer, for incremental decoding.
/// Each entry is [B, Hkv, S, headDim] after rotary embedding.
public final class KVCache {
    public var keys: [Tensor?]
    public var values: [Tensor?]

    public init(layers: Int) {
        keys = Array(repeating: nil, count: layers)
        values = Array(repeating: nil, count: layers)
    }

    /// Number of positions already cached.
    public var length: Int { keys.first??.shape[2] ?? 0 }

    /// Appends this step's keys/values for `layer` and returns the full sequences.
    func append(layer: Int, k: Tensor, v: Tensor) throws -> (Tensor, Tensor) {
        if let pk = keys[layer], let pv = values[layer] {
            keys[layer] = try Tensor.concat([pk, k], dim: 2)
            values[layer] = try Tensor.concat([pv, v], dim: 2)
        } else {
            keys[layer] = k.contiguous()
            values[layer] = v.contiguous()
        }
        return (keys[layer]!, values[layer]!)
    }
}
