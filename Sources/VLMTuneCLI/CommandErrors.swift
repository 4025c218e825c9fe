import ArgumentParser
import Foundation

/// Runs a command body and turns any error into the one-line form every subcommand uses:
/// `error: <what>: <where>` on stderr and exit status 1.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let e as ExitCode {
        throw e
    } catch let e as CleanExit {
        throw e
    } catch {
        let text = "\(error)".replacingOccurrences(of: "\n", with: " ")
        printError("error: \(text)")
        throw ExitCode(1)
    }
}

/// A command-line problem (bad flag combination, unreadable input) described as
/// `<what>: <where>`.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ what: String, at location: String? = nil) {
        description = location.map { "\(what): \($0)" } ?? what
    }
}
