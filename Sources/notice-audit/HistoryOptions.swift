import ArgumentParser
import NoticeAudit

/// `--db PATH`: the history database.
struct HistoryOptions: ParsableArguments {
    @Option(name: .customLong("db"), help: ArgumentHelp("The history database (SQLite).", valueName: "path"))
    var path = "history.sqlite"

    func open() throws -> HistoryDatabase {
        do {
            return try HistoryDatabase(path: path)
        } catch {
            throw CommandFailure.operational("error: \(error.message)")
        }
    }
}
