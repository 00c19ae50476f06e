import ArgumentParser
import NoticeAudit

/// `--db PATH`: the history database.
struct HistoryOptions: ParsableArguments {
    @Option(name: .customLong("db"), help: ArgumentHelp("The history database (SQLite).", valueName: "path"))
    var path = "history.sqlite"

    /// Opens the history: read-write for commands that record, read-only for those that only
    /// show (those never create a database).
    func open(_ access: HistoryDatabase.Access) throws -> HistoryDatabase {
        do {
            return try HistoryDatabase(path: path, access: access)
        } catch {
            throw CommandFailure.operational("error: \(error.message)")
        }
    }
}
