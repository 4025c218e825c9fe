import AtomicFiles
import Foundation
import Formats
import Layers
import Tensors

/// LoRA settings, read from and written to PEFT's `adapter_config.json`.
public struct LoRASettings: Equatable, Sendable {
    public enum Targets: Equatable, Sendable {
        /// Module names: a module matches when its name is one of them or ends with ".<name>".
        case names([String])
        /// A regular expression that must match the whole module name.
        case regex(String)
    }

    public var rank: Int
    public var alpha: Double
    public var dropout: Double
    public var targets: Targets
    public var rsLoRA: Bool
    /// Per-module rank / alpha overrides keyed by regex (PEFT's rank_pattern / alpha_pattern).
    public var rankPattern: [String: Int]
    public var alphaPattern: [String: Double]

    public init(rank: Int, alpha: Double, dropout: Double = 0, targets: Targets, rsLoRA: Bool = false,
                rankPattern: [String: Int] = [:], alphaPattern: [String: Double] = [:]) {
        self.rank = rank
        self.alpha = alpha
        self.dropout = dropout
        self.targets = targets
        self.rsLoRA = rsLoRA
        self.rankPattern = rankPattern
        self.alphaPattern = alphaPattern
    }

    public static let llmLinearTargets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]

    /// PEFT's `check_target_module_exists`.
    public func matches(_ name: String) -> Bool {
        switch targets {
        case .names(let names):
            return names.contains { name == $0 || name.hasSuffix("." + $0) }
        case .regex(let pattern):
            return PEFT.fullMatch(pattern, name)
        }
    }

    /// Rank and alpha for one module, after the patterns (PEFT matches `(.*\.)?(pattern)$`).
    public func rankAndAlpha(for name: String) -> (Int, Double) {
        let r = rankPattern.first { PEFT.fullMatch("(.*\\.)?(\($0.key))", name) }?.value ?? rank
        let a = alphaPattern.first { PEFT.fullMatch("(.*\\.)?(\($0.key))", name) }?.value ?? alpha
        return (r, a)
    }

    public init(adapterConfig json: JSONObject) throws {
        let type = try json.string("peft_type") ?? "LORA"
        guard type == "LORA" else { throw LayerError("peft_type \"\(type)\" is not supported (LORA)", at: json.file) }
        if try json.bool("fan_in_fan_out") == true { throw LayerError("fan_in_fan_out adapters are not supported", at: json.file) }
        if try json.bool("use_dora") == true { throw LayerError("DoRA adapters are not supported", at: json.file) }
        if let bias = try json.string("bias"), bias != "none" { throw LayerError("bias \"\(bias)\" is not supported (none)", at: json.file) }
        let targets: Targets
        if let s = json.dict["target_modules"] as? String {
            targets = .regex(s)
        } else if let list = json.dict["target_modules"] as? [String] {
            targets = .names(list)
        } else {
            throw LayerError("target_modules must be a list of names or a regex string", at: json.file)
        }
        let rp = (json.dict["rank_pattern"] as? [String: Any] ?? [:]).compactMapValues { ($0 as? NSNumber)?.intValue }
        let ap = (json.dict["alpha_pattern"] as? [String: Any] ?? [:]).compactMapValues { ($0 as? NSNumber)?.doubleValue }
        self.init(rank: try json.requiredInt("r"), alpha: try json.double("lora_alpha") ?? 8,
                  dropout: try json.double("lora_dropout") ?? 0, targets: targets,
                  rsLoRA: try json.bool("use_rslora") ?? false, rankPattern: rp, alphaPattern: ap)
    }

    public func adapterConfig(baseModel: String) -> [String: Any] {
        let targetValue: Any
        switch targets {
        case .names(let n): targetValue = n.sorted()
        case .regex(let r): targetValue = r
        }
        return [
            "peft_type": "LORA", "task_type": "CAUSAL_LM", "base_model_name_or_path": baseModel,
            "r": rank, "lora_alpha": alpha, "lora_dropout": dropout, "target_modules": targetValue,
            "bias": "none", "fan_in_fan_out": false, "inference_mode": true, "init_lora_weights": true,
            "use_rslora": rsLoRA, "use_dora": false, "modules_to_save": NSNull(), "layers_to_transform": NSNull(),
            "layers_pattern": NSNull(), "rank_pattern": rankPattern, "alpha_pattern": alphaPattern,
        ]
    }
}

/// PEFT LoRA adapters: attaching, loading and saving with PEFT's key names
/// (`base_model.model.<module name>.lora_A.weight`).
public enum PEFT {
    static func fullMatch(_ pattern: String, _ s: String) -> Bool {
        guard let re = try? NSRegularExpression(pattern: "^(?:\(pattern))$") else { return false }
        return re.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
    }

    /// Attaches fresh adapters to every Linear whose PEFT module name (`moduleName` of its
    /// key in `root`) is admitted by `scope` and matched by the settings. Returns them by name.
    @discardableResult
    public static func attach(_ settings: LoRASettings, to root: Module, moduleName: (String) -> String = { $0 },
                              scope: (String) -> Bool = { _ in true }, seed: UInt64 = 0) -> [(String, Linear)] {
        var rng = RandomGenerator(seed: seed)
        var out: [(String, Linear)] = []
        for (key, m) in root.namedModules() {
            guard let linear = m as? Linear else { continue }
            let name = moduleName(key)
            guard scope(name), settings.matches(name) else { continue }
            let (r, a) = settings.rankAndAlpha(for: name)
            linear.lora = LoRA(inFeatures: linear.inFeatures, outFeatures: linear.outFeatures, rank: r, alpha: Float(a),
                               dropout: Float(settings.dropout), rsLoRA: settings.rsLoRA, rng: &rng)
            out.append((name, linear))
        }
        return out
    }

    /// The adapter-file key of a LoRA parameter key of the model (`...q_proj.lora_A.weight`).
    public static func adapterKey(_ modelKey: String, moduleName: (String) -> String) -> String {
        // moduleName maps module paths; apply it to the part before `.lora_X.weight`.
        guard let r = modelKey.range(of: ".lora_") else { return "base_model.model." + moduleName(modelKey) }
        return "base_model.model." + moduleName(String(modelKey[..<r.lowerBound])) + String(modelKey[r.lowerBound...])
    }

    /// Reads an adapter folder and attaches it to `root`. Every adapted module must find
    /// its A and B tensors with the right shapes; adapter tensors that match no module are
    /// an error (a wrong base model, usually).
    @discardableResult
    public static func load(folder: String, into root: Module, moduleName: @escaping (String) -> String = { $0 },
                            scope: (String) -> Bool = { _ in true }) throws -> LoRASettings {
        let settings = try LoRASettings(adapterConfig: JSONObject(contentsOf: folder + "/adapter_config.json"))
        let path = folder + "/adapter_model.safetensors"
        let file = try SafeTensors.File(path: path)
        let attached = attach(settings, to: root, moduleName: moduleName, scope: scope)
        guard !attached.isEmpty else { throw LayerError("adapter_config.json targets no module of this model", at: folder) }
        var used = Set<String>()
        try root.walk(.lora) { key, t in
            let ak = adapterKey(key, moduleName: moduleName)
            // PEFT also writes keys with the adapter name ("lora_A.default.weight") in some versions.
            let candidates = [ak, ak.replacingOccurrences(of: ".weight", with: ".default.weight")]
            guard let found = candidates.first(where: { file.entry($0) != nil }) else {
                throw LayerError("missing tensor \(ak)", at: path)
            }
            let loaded = try file.tensor(found)
            guard loaded.shape == t.shape else {
                throw LayerError("tensor \(found) has shape \(loaded.shape), the model needs \(t.shape)", at: path)
            }
            used.insert(found)
            t = loaded.cast(.float32)
        }
        let stray = file.names.filter { !used.contains($0) && $0.contains("lora_") }
        if !stray.isEmpty {
            throw LayerError("\(stray.count) adapter tensors match no module of this model (e.g. \(stray[0]))", at: path)
        }
        return settings
    }

    /// Writes `adapter_config.json` and `adapter_model.safetensors` for the LoRA parameters
    /// under `root` (or their gradients, for tests).
    public static func save(_ root: Module, settings: LoRASettings, to folder: String, baseModel: String,
                            moduleName: @escaping (String) -> String = { $0 }) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var tensors: [String: Tensor] = [:]
        for (k, t) in root.namedParameters(.lora) { tensors[adapterKey(k, moduleName: moduleName)] = t }
        try SafeTensors.write(tensors, to: folder + "/adapter_model.safetensors")
        let json = try JSONSerialization.data(withJSONObject: settings.adapterConfig(baseModel: baseModel),
                                              options: [.prettyPrinted, .sortedKeys])
        try AtomicFile.write(json, to: folder + "/adapter_config.json")
    }
}
