import Foundation
import Testing
@testable import NoticeAudit

/// Issue 12 items 3, 4 and 6: every failure is exit 3 with a message that says what and where,
/// read-only commands never create a database, and `latest` only ever shows a complete run.
@Suite("exit statuses and failures (the binary)", .enabled(if: LabEnvironment.isAvailable, "the lab is not running (make lab-start)"))
struct ExitStatusTests {
    static var lab: LabEnvironment { LabEnvironment.current! }
    static let inventory = CommandRunner.packageRoot.appendingPathComponent("Tests/Lab/demo/inventory.json").path
    static let oneInstitution = CommandRunner.packageRoot.appendingPathComponent("Tests/Lab/demo/one-institution.json").path

    /// A quick scan of one compliant demo institution.
    static func scanArguments(db: String, reports: String) -> [String] {
        // A consortium run (not an ad-hoc rescan): it moves `latest` and writes the metrics.
        lab.scan.arguments(inventory: oneInstitution, in: URL(fileURLWithPath: db).deletingLastPathComponent(), database: db, reports: reports,
                           nameServer: .direct, timeout: "5")
    }

    static func scan(db: String, reports: String) async throws -> CommandResult {
        try await CommandRunner.run(scanArguments(db: db, reports: reports))
    }

    @Test func aCorruptDatabaseIsExit3WithWhatToDo() async throws {
        let directory = try TemporaryDirectory()
        let db = try directory.write("this is not SQLite\n" + String(repeating: "x", count: 5000), to: "history.sqlite").path
        let run = try await Self.scan(db: db, reports: directory.url.appendingPathComponent("Reports").path)
        #expect(run.status == 3)
        #expect(run.stderr.contains("\(db) is damaged or not a SQLite database"), "\(run.stderr)")
        for arguments in [["report"], ["history", "--institution", "good-ip"], ["ranges", "show"]] {
            let read = try await CommandRunner.run(arguments + ["--db", db])
            #expect(read.status == 3, "\(arguments): \(read.stderr)")
            #expect(read.stderr.contains(db), "\(arguments): \(read.stderr)")
        }
    }

    @Test func aDatabaseThatCannotBeOpenedIsExit3() async throws {
        let directory = try TemporaryDirectory()
        let db = directory.url.appendingPathComponent("a-folder.sqlite")
        try FileManager.default.createDirectory(at: db, withIntermediateDirectories: true)
        let run = try await Self.scan(db: db.path, reports: directory.url.appendingPathComponent("Reports").path)
        #expect(run.status == 3)
        #expect(run.stderr.contains(db.path), "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }.count == 1, "one error line: \(run.stderr)")
    }

    /// Issue 15: `--metrics-file` is written whatever the outcome, so monitoring sees a scan that
    /// could not run (exit 3) and one that did (exit 0, with the counts).
    @Test func metricsAreWrittenAlsoWhenTheScanCannotRun() async throws {
        let directory = try TemporaryDirectory()
        let metrics = directory.url.appendingPathComponent("notice_audit.prom").path
        let folder = directory.url.appendingPathComponent("a-folder.sqlite")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let failed = try await CommandRunner.run(Self.scanArguments(db: folder.path, reports: directory.url.appendingPathComponent("Reports").path) + ["--metrics-file", metrics])
        #expect(failed.status == 3)
        let text = try String(contentsOfFile: metrics, encoding: .utf8)
        #expect(text.contains("notice_audit_last_run_exit_status 3\n") && !text.contains("notice_audit_institutions{"), "\(text)")
        let db = directory.url.appendingPathComponent("history.sqlite").path
        let passed = try await CommandRunner.run(Self.scanArguments(db: db, reports: directory.url.appendingPathComponent("Reports").path) + ["--metrics-file", metrics])
        #expect(passed.status == 0, "\(passed.stderr)")
        let after = try String(contentsOfFile: metrics, encoding: .utf8)
        #expect(after.contains("notice_audit_last_run_exit_status 0\n") && after.contains("notice_audit_institutions{status=\"compliant\"} 1\n"), "\(after)")
        #expect(after.contains("notice_audit_institution_status{institution=\"good-ip\",status=\"compliant\"} 1\n"))
    }

    @Test func anUnwritableReportsFolderIsExit3AndTheRunIsKept() async throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("a file, not a folder\n", to: "not-a-folder")
        let db = directory.url.appendingPathComponent("history.sqlite").path
        let run = try await Self.scan(db: db, reports: file.appendingPathComponent("Reports").path)
        #expect(run.status == 3)
        #expect(run.stderr.contains("the reports of run 1 could not be written"), "\(run.stderr)")
        #expect(run.stderr.contains("notice-audit report --run 1"), "\(run.stderr)")
        let store = ScanStore(database: try HistoryDatabase(path: db, access: .readOnly))
        #expect(try store.run(id: 1)?.status == .completed)
    }

    @Test(arguments: [["report"], ["history", "--institution", "ufl"], ["ranges", "show"], ["ranges", "diff"]])
    func readOnlyCommandsNeverCreateADatabase(arguments: [String]) async throws {
        let directory = try TemporaryDirectory()
        let db = directory.url.appendingPathComponent("missing.sqlite").path
        let run = try await CommandRunner.run(arguments + ["--db", db])
        #expect(run.status == 3, "\(run.stderr)")
        #expect(run.stderr.contains("there is no history database at \(db); run a scan first"), "\(run.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path).isEmpty)
    }

    @Test func anUndecodableHistoryRowIsExit3NotADroppedRow() async throws {
        let directory = try TemporaryDirectory()
        let db = directory.url.appendingPathComponent("history.sqlite").path
        #expect(try await Self.scan(db: db, reports: directory.url.appendingPathComponent("Reports").path).status == 0)
        try HistoryDatabase(path: db).write { db in try db.execute(sql: "UPDATE institution_result SET detail = '[]'") }
        let report = try await CommandRunner.run(["report", "--db", db, "--stdout"])
        #expect(report.status == 3)
        #expect(report.stderr.contains("the result of good-ip in run 1 that cannot be read"), "\(report.stderr)")
    }

    /// Issue 19: `report --run N` records where it wrote the run, so `REPORTS/index.html` (here a
    /// second reports folder) links it as run N, not as a folder history no longer knows.
    @Test func aReRenderedRunKeepsItsReportPath() async throws {
        let directory = try TemporaryDirectory()
        let db = directory.url.appendingPathComponent("history.sqlite").path
        #expect(try await Self.scan(db: db, reports: directory.url.appendingPathComponent("Reports").path).status == 0)
        let elsewhere = directory.url.appendingPathComponent("Elsewhere")
        let rendered = try await CommandRunner.run(["report", "--run", "1", "--db", db, "--reports", elsewhere.path])
        #expect(rendered.status == 0, "\(rendered.stderr)")
        let store = ScanStore(database: try HistoryDatabase(path: db, access: .readOnly))
        #expect(try store.reportedRuns().first { $0.run == 1 }?.reportPath.hasPrefix(elsewhere.path) == true)
        let index = try String(contentsOf: elsewhere.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(!index.contains("no longer in the history database"), "\(index)")
    }

    @Test func usageErrorsAre2AndHelpIs0() async throws {
        #expect(try await CommandRunner.run(["scan", "--concurrency", "0"]).status == 2)
        #expect(try await CommandRunner.run(["no-such-command"]).status == 2)
        #expect(try await CommandRunner.run(["--help"]).status == 0)
    }

    /// A full disk while the reports are written (a 64 KiB tmpfs in a mount namespace of its own):
    /// exit 3, and `latest` still shows the previous complete run, with no staging folder left.
    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare"), "needs root and unshare for a private tmpfs"))
    func aDiskErrorOnTheReportWriteLeavesLatestOnTheLastCompleteRun() async throws {
        let directory = try TemporaryDirectory()
        let reports = directory.url.appendingPathComponent("Reports").path
        let db = directory.url.appendingPathComponent("history.sqlite").path
        let listing = directory.url.appendingPathComponent("listing").path
        let scan = ([CommandRunner.binary.path] + Self.scanArguments(db: db, reports: reports)).map { "'\($0)'" }.joined(separator: " ")
        // Run 1 fits; then the disk is filled to 2 KiB of free space and run 2 cannot be written.
        let script = """
            set -u
            mkdir -p '\(reports)' && mount -t tmpfs -o size=64k tmpfs '\(reports)' || exit 99
            \(scan) > /dev/null 2>&1; echo "first=$?" > '\(listing)'
            free=$(df --output=avail -B1 '\(reports)' | tail -1)
            head -c $((free - 2048)) /dev/zero > '\(reports)/filler' 2>/dev/null
            \(scan) 2> '\(listing).stderr' > /dev/null; echo "second=$?" >> '\(listing)'
            echo "latest=$(readlink '\(reports)/latest')" >> '\(listing)'
            ls -A '\(reports)' | sed 's/^/entry=/' >> '\(listing)'
            ls '\(reports)/latest/' | sed 's/^/file=/' >> '\(listing)'
            """
        let run = try await CommandRunner.run(["-m", "bash", "-c", script], executable: "/usr/bin/unshare")
        #expect(run.status == 0, "\(run.stderr)")
        let lines = try String(contentsOfFile: listing, encoding: .utf8).split(separator: "\n").map(String.init)
        let stderr = (try? String(contentsOfFile: listing + ".stderr", encoding: .utf8)) ?? ""
        #expect(lines.contains("first=0"), "\(lines)")
        #expect(lines.contains("second=3"), "\(lines) \(stderr)")
        #expect(stderr.contains("the reports of run 2 could not be written"), "\(stderr)")
        // The recovery message names the reports folder given, not a default (issue 19).
        #expect(stderr.contains("\(reports)/latest still shows the previous run") && stderr.contains("--reports \(reports)"), "\(stderr)")
        #expect(stderr.contains("enough space") || stderr.contains("No space left"), "\(stderr)")
        let latest = try #require(lines.first { $0.hasPrefix("latest=") }).dropFirst("latest=".count)
        #expect(latest.hasSuffix("-run1"), "\(lines)")
        let files = Set(lines.filter { $0.hasPrefix("file=") }.map { $0.dropFirst("file=".count) })
        #expect(files.isSuperset(of: ["findings.csv", "scan.json", "summary.csv", "summary.md", "index.html"]), "\(lines)")
        // Only run 1's folder, latest, the list of runs and the filler: no staging folder or link left behind.
        #expect(lines.filter { $0.hasPrefix("entry=") }.sorted() == ["entry=\(latest)", "entry=filler", "entry=index.html", "entry=latest"], "\(lines)")
    }
}
