import Foundation
import Synchronization

/// An error a subcommand ends with: the message for the person reading the cron mail, and the exit
/// status promised by the interface.
struct CommandFailure: Error {
    /// Usage error or invalid inventory: nothing was checked.
    static let usageStatus: Int32 = 2
    /// The command could not run (I/O, database, network set-up).
    static let operationalStatus: Int32 = 3

    var message: String
    var exitStatus: Int32

    static func usage(_ message: String) -> CommandFailure { CommandFailure(message: message, exitStatus: usageStatus) }
    static func operational(_ message: String) -> CommandFailure { CommandFailure(message: message, exitStatus: operationalStatus) }
    /// Ends the command with a status but nothing more to say (the output already said it).
    static func silent(_ status: Int32) -> CommandFailure { CommandFailure(message: "", exitStatus: status) }
}

/// Writes lines to standard error, where logs and error messages go.
enum StandardError {
    static func write(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }
}

/// SIGINT and SIGTERM turned into a call, so a scan or the scheduler can stop cleanly.
enum TerminationSignals {
    /// Ignores the default action of SIGINT and SIGTERM and calls `handler` with the number of
    /// signals received so far (signals that arrive together are counted, not merged); keep the
    /// returned sources alive as long as the handler should run.
    static func handle(_ handler: @escaping @Sendable (Int) -> Void) -> [any DispatchSourceSignal] {
        let received = Mutex(0)
        return [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number)
            // The source holds its handler until it is cancelled, which breaks the cycle.
            source.setEventHandler {
                let count = received.withLock { total in
                    total += Int(max(1, source.data))
                    return total
                }
                handler(count)
            }
            source.resume()
            return source
        }
    }
}
