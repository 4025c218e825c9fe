import Tensors

/// A layer or model: it lists its parameters under their checkpoint keys and its child
/// modules under their key prefixes, so that the flattened, dotted names of a model are
/// exactly the Hugging Face safetensors names (`model.layers.0.self_attn.q_proj.weight`).
///
/// ```swift
/// final class MLP: Module {
///     var up: Linear, down: Linear
///     func visit(_ v: inout ParameterVisitor) {
///         v.child("up_proj", up)
///         v.child("down_proj", down)
///     }
/// }
/// ```
public protocol Module: AnyObject {
    func visit(_ v: inout ParameterVisitor)
}

/// Walks a module tree. `param` hands each parameter to the visitor's body `inout`, so a
/// visit can read parameters or replace them (loading weights).
public struct ParameterVisitor {
    /// Which parameters a walk sees.
    public enum Filter {
        /// Every parameter.
        case all
        /// The base model's parameters (no LoRA adapters): what a base checkpoint holds.
        case base
        /// LoRA adapter parameters only.
        case lora
    }

    public let filter: Filter
    var prefix: String
    let body: (String, inout Tensor) throws -> Void
    /// Called with each module entered (its key prefix and the module).
    let onModule: ((String, Module) -> Void)?
    var error: Error?

    public init(filter: Filter = .all, onModule: ((String, Module) -> Void)? = nil,
                body: @escaping (String, inout Tensor) throws -> Void) {
        self.filter = filter
        self.prefix = ""
        self.body = body
        self.onModule = onModule
    }

    func key(_ name: String) -> String { prefix.isEmpty ? name : prefix + "." + name }

    public mutating func param(_ name: String, _ t: inout Tensor) {
        guard error == nil, filter != .lora else { return }
        do { try body(key(name), &t) } catch { self.error = error }
    }

    public mutating func param(_ name: String, _ t: inout Tensor?) {
        guard var value = t else { return }
        param(name, &value)
        t = value
    }

    /// A LoRA adapter parameter: seen by `.all` and `.lora` walks only.
    public mutating func loraParam(_ name: String, _ t: inout Tensor) {
        guard error == nil, filter != .base else { return }
        do { try body(key(name), &t) } catch { self.error = error }
    }

    public mutating func child(_ name: String, _ m: Module?) {
        guard let m, error == nil else { return }
        let saved = prefix
        prefix = key(name)
        onModule?(prefix, m)
        m.visit(&self)
        prefix = saved
    }

    /// Visits `m` with each of its keys passed through `rename` (keys relative to `m`, result
    /// relative to the current prefix): composite models use it to give a component the key
    /// layout of a checkpoint format (`model.embed_tokens` -> `model.language_model.embed_tokens`).
    public mutating func child(_ m: Module, renamedBy rename: @escaping (String) -> String) {
        guard error == nil else { return }
        let outerPrefix = prefix, outerBody = body, outerModule = onModule
        func full(_ k: String) -> String { outerPrefix.isEmpty ? rename(k) : outerPrefix + "." + rename(k) }
        var inner = ParameterVisitor(filter: filter, onModule: outerModule.map { f in { k, mod in f(full(k), mod) } }) { k, t in
            try outerBody(full(k), &t)
        }
        m.visit(&inner)
        if let e = inner.error { error = e }
    }

    /// A list of modules keyed `name.0`, `name.1`, ...
    public mutating func children(_ name: String, _ ms: [Module]) {
        for (i, m) in ms.enumerated() { child("\(name).\(i)", m) }
    }
}

extension Module {
    /// Walks the tree; rethrows the first error a body threw.
    public func walk(_ filter: ParameterVisitor.Filter = .all, _ body: @escaping (String, inout Tensor) throws -> Void) throws {
        var v = ParameterVisitor(filter: filter, body: body)
        visit(&v)
        if let e = v.error { throw e }
    }

    /// Every submodule with its key prefix (the root is not included).
    public func namedModules() -> [(String, Module)] {
        var out: [(String, Module)] = []
        var v = ParameterVisitor(filter: .all, onModule: { out.append(($0, $1)) }) { _, _ in }
        visit(&v)
        return out
    }

    /// (key, tensor) for every parameter the filter admits, in declaration order.
    public func namedParameters(_ filter: ParameterVisitor.Filter = .all) -> [(String, Tensor)] {
        var out: [(String, Tensor)] = []
        try? walk(filter) { key, t in out.append((key, t)) }
        return out
    }

    /// Parameters that collect gradients.
    public func trainableParameters() -> [(String, Tensor)] {
        namedParameters().filter { $0.1.requiresGrad }
    }

    public func parameterCount(_ filter: ParameterVisitor.Filter = .all) -> Int {
        namedParameters(filter).reduce(0) { $0 + $1.1.count }
    }

    /// Marks every parameter the filter admits as trainable (f32, requiring gradients) or
    /// frozen. Trainable parameters stored as bf16/f16 are converted to f32 first.
    public func setTrainable(_ flag: Bool, _ filter: ParameterVisitor.Filter = .all) {
        try? walk(filter) { _, t in
            if flag && t.dtype != .float32 { t = t.cast(.float32) }
            t.requiresGrad = flag
            t.grad = nil
        }
    }

    /// Replaces parameters with tensors from `source` (keyed by this tree's keys, mapped by
    /// `checkpointKey`). Shapes must match; a missing key is an error unless `optional`
    /// returns true for it. Trainable parameters are copied to f32; frozen ones keep the
    /// stored dtype (bf16 weights stay bf16 in memory).
    public func load(_ filter: ParameterVisitor.Filter = .base, from source: @escaping (String) throws -> Tensor?,
                     checkpointKey: @escaping (String) -> String = { $0 }, optional: @escaping (String) -> Bool = { _ in false },
                     origin: String) throws {
        try walk(filter) { key, t in
            let ck = checkpointKey(key)
            guard let loaded = try source(ck) else {
                if optional(key) { return }
                throw LayerError("missing tensor \(ck)", at: origin)
            }
            guard loaded.shape == t.shape else {
                throw LayerError("tensor \(ck) has shape \(loaded.shape), the config implies \(t.shape)", at: origin)
            }
            guard loaded.dtype.isFloatingPoint else {
                throw LayerError("tensor \(ck) has dtype \(loaded.dtype.rawValue), expected a floating-point type", at: origin)
            }
            let trainable = t.requiresGrad
            t = trainable ? loaded.cast(.float32).requiringGrad() : loaded
        }
    }

    /// Copies of the parameters the filter admits, by key (for saving).
    public func stateDict(_ filter: ParameterVisitor.Filter = .all) -> [String: Tensor] {
        Dictionary(namedParameters(filter).map { ($0.0, $0.1) }, uniquingKeysWith: { a, _ in a })
    }
}

/// A model-construction or weight-loading problem, as one line: what is wrong, then where
/// (file, key), as the command line prints errors (`error: <what>: <where>`).
public struct LayerError: Error, CustomStringConvertible {
    public let description: String
    public init(_ what: String) { description = what }
    public init(_ what: String, at location: String) { description = "\(what): \(location)" }
}
