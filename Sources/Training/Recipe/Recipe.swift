import Foundation

/// A validated recipe with every key resolved (written value or schema default).
public struct Recipe {
    public enum Stage: String, Sendable { case lmPretrain = "lm-pretrain", clip, align, instruct, full }

    public let name: String
    public let file: String
    public let stage: Stage
    public let seed: UInt64
    /// Every schema key with its final value, in schema order.
    public let resolved: [(String, RecipeValue)]
    let entries: RecipeEntries

    init(entries: RecipeEntries, defaultName: String, file: String) throws {
        self.entries = entries
        self.file = file
        for (k, e) in entries.values { try Recipe.check(k, e) }
        let name: String
        if case .string(let n)? = entries["name"]?.value { name = n } else { name = defaultName }
        self.name = name
        var res: [(String, RecipeValue)] = []
        for key in RecipeSchema.keys where key.path != "extends" {
            res.append((key.path, key.path == "name" ? .string(name) : entries[key.path]?.value ?? key.defaultValue))
        }
        resolved = res
        guard case .string(let s)? = entries["stage"]?.value, let stage = Stage(rawValue: s) else {
            throw RecipeError("stage is required (\(RecipeSchema.stages.joined(separator: ", ")))", at: file)
        }
        self.stage = stage
        seed = UInt64(bitPattern: Int64(Recipe.intValue(entries["seed"]?.value ?? .int(42))))
        try validateStage()
    }

    /// Type check of one written entry against the schema.
    static func check(_ path: String, _ e: RecipeEntries.Entry) throws {
        guard let spec = RecipeSchema.byPath[path] else { return }
        let v = e.value
        if case .null = v { return }
        let ok: Bool
        switch spec.type {
        case .string: if case .string = v { ok = true } else { ok = false }
        case .int: if case .int = v { ok = true } else { ok = false }
        case .double:
            switch v { case .int, .double: ok = true; default: ok = false }
        case .bool: if case .bool = v { ok = true } else { ok = false }
        case .strings:
            if case .list(let l) = v { ok = l.allSatisfy { if case .string = $0 { return true } else { return false } } } else { ok = false }
        case .doubles:
            if case .list(let l) = v {
                ok = l.allSatisfy { switch $0 { case .int, .double: return true; default: return false } }
            } else { ok = false }
        case .object: if case .map = v { ok = true } else { ok = false }
        case .choice(let options):
            if case .string(let s) = v, options.contains(s) { ok = true } else { ok = false }
        }
        guard ok else { throw RecipeError("\(path) must be \(article(spec.type)), got \(v)", at: e.origin) }
    }

    static func article(_ t: RecipeType) -> String {
        if case .choice(let c) = t { return "one of \(c.joined(separator: ", "))" }
        return (t.name.first.map { "aeiou".contains($0) } ?? false ? "an " : "a ") + t.name
    }

    static func intValue(_ v: RecipeValue) -> Int {
        if case .int(let i) = v { return i }
        return 0
    }

    // MARK: - Typed access

    public func value(_ path: String) -> RecipeValue {
        precondition(RecipeSchema.byPath[path] != nil, "not a recipe key: \(path)")
        return entries[path]?.value ?? RecipeSchema.byPath[path]!.defaultValue
    }

    /// Where a key's value came from (file and line, an override, or "default").
    public func origin(_ path: String) -> String { entries[path]?.origin ?? "default of \(path)" }

    public func string(_ path: String) -> String? {
        if case .string(let s) = value(path) { return s }
        return nil
    }

    public func int(_ path: String) -> Int? {
        if case .int(let i) = value(path) { return i }
        return nil
    }

    public func double(_ path: String) -> Double? {
        switch value(path) {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    public func bool(_ path: String) -> Bool? {
        if case .bool(let b) = value(path) { return b }
        return nil
    }

    public func strings(_ path: String) -> [String] {
        if case .list(let l) = value(path) { return l.compactMap { if case .string(let s) = $0 { return s } else { return nil } } }
        return []
    }

    public func doubles(_ path: String) -> [Double] {
        if case .list(let l) = value(path) {
            return l.compactMap { switch $0 { case .int(let i): return Double(i); case .double(let d): return d; default: return nil } }
        }
        return []
    }

    /// An inline config mapping as a JSON object.
    public func object(_ path: String) -> [String: Any]? {
        if case .map = value(path) { return value(path).foundation as? [String: Any] }
        return nil
    }

    // MARK: - Cross-key rules

    func require(_ cond: Bool, _ what: String, _ key: String) throws {
        if !cond { throw RecipeError(what, at: entries[key]?.origin ?? file) }
    }

    func validateStage() throws {
        let needsVision = [.clip, .align, .instruct, .full].contains(stage)
        let needsLLM = stage != .clip
        if needsVision {
            try require(string("model.vision.path") != nil || object("model.vision.config") != nil,
                        "stage \(stage.rawValue) needs model.vision.path or model.vision.config", "stage")
        }
        if needsLLM {
            try require(string("model.llm.path") != nil || object("model.llm.config") != nil,
                        "stage \(stage.rawValue) needs model.llm.path or model.llm.config", "stage")
        }
        if stage == .clip {
            try require(object("model.text.config") != nil, "stage clip needs model.text.config", "stage")
        }
        try require(string("data.train") != nil, "data.train is required", "stage")
        if stage == .instruct {
            try require((int("model.lora.r") ?? 0) > 0, "stage instruct trains LoRA adapters: set model.lora.r > 0 (or use stage full)", "model.lora.r")
        }
        if stage != .lmPretrain {
            try require(string("data.loss_on") != "all", "data.loss_on: all is for stage lm-pretrain; stage \(stage.rawValue) takes the loss on the labels", "data.loss_on")
        }
        let gb = int("train.global_batch") ?? 1, mb = int("train.micro_batch") ?? 1
        try require(mb > 0, "train.micro_batch must be positive", "train.micro_batch")
        try require(gb >= mb && gb % mb == 0, "train.global_batch (\(gb)) must be a multiple of train.micro_batch (\(mb))", "train.global_batch")
        try require((double("optim.lr") ?? 0) > 0, "optim.lr must be positive", "optim.lr")
        try require(doubles("optim.betas").count == 2, "optim.betas needs two numbers", "optim.betas")
        try require((int("model.lora.r") ?? 0) >= 0, "model.lora.r must not be negative", "model.lora.r")
        let feature = string("model.vision.select_feature")
        _ = feature
    }

    // MARK: - Resolved form

    /// The fully resolved recipe as YAML (saved in every run folder).
    public var resolvedYAML: String {
        var out = "# Fully resolved recipe (every key, defaults included) of \(file)\n"
        out += "name: \(RecipeValue.quoteIfNeeded(name))\n"
        var section = ""
        for (path, value) in resolved where path != "name" {
            let parts = path.split(separator: ".").map(String.init)
            if parts.count == 1 {
                out += "\(path): \(value)\n"
                section = ""
                continue
            }
            let head = parts.dropLast().joined(separator: ".")
            if head != section {
                // Open the nested sections that differ from the previous key's.
                let prev = section.split(separator: ".").map(String.init)
                let cur = Array(parts.dropLast())
                var common = 0
                while common < min(prev.count, cur.count) && prev[common] == cur[common] { common += 1 }
                for level in common..<cur.count {
                    out += String(repeating: "  ", count: level) + cur[level] + ":\n"
                }
                section = head
            }
            out += String(repeating: "  ", count: parts.count - 1) + parts.last! + ": \(value)\n"
        }
        return out
    }

    /// A stable fingerprint of the resolved recipe (FNV-1a 64 of `resolvedYAML` without its
    /// first comment line), stored in checkpoints so a resume with a changed recipe is noticed.
    public var hash: String {
        let body = resolvedYAML.split(separator: "\n", maxSplits: 1).last.map(String.init) ?? ""
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in body.utf8 {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        return String(format: "%016llx", h)
    }
}
