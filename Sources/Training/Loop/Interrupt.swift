import Foundation

/// SIGINT/SIGTERM handling: the first signal asks the trainer to save a checkpoint and stop
/// after the current step; a second one exits at once.
public enum Interrupt {
    nonisolated(unsafe) static var requested: sig_atomic_t = 0

    public static var isRequested: Bool { requested != 0 }

    public static func install() {
        let handler: @convention(c) (Int32) -> Void = { _ in
            if Interrupt.requested != 0 { _exit(130) }
            Interrupt.requested = 1
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
    }

    /// For tests.
    public static func request() { requested = 1 }
    public static func reset() { requested = 0 }
}
