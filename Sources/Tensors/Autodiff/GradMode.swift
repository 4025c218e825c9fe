/// Whether operations record the graph that `backward()` walks.
///
/// Graph recording happens on the thread that runs the model; kernels use worker threads
/// but never create recorded tensors, so one process-wide flag is enough.
public enum GradMode {
    nonisolated(unsafe) public private(set) static var isEnabled = true

    /// Runs `body` without recording: frozen encoders, evaluation, optimizer updates.
    public static func withoutGrad<T>(_ body: () throws -> T) rethrows -> T {
        let saved = isEnabled
        isEnabled = false
        defer { isEnabled = saved }
        return try body()
    }

    /// Runs `body` with recording on (inside an outer no-grad scope, for recomputation).
    public static func withGrad<T>(_ body: () throws -> T) rethrows -> T {
        let saved = isEnabled
        isEnabled = true
        defer { isEnabled = saved }
        return try body()
    }
}

/// Shorthand for `GradMode.withoutGrad`.
public func noGrad<T>(_ body: () throws -> T) rethrows -> T {
    try GradMode.withoutGrad(body)
}
