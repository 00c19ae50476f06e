import ArgumentParser
import Foundation
import NoticeAudit

/// `notice-audit ranges fetch|show|diff`
struct RangesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ranges",
        abstract: "The Ex Libris mail relay ranges and SPF include entries per Alma region.",
        subcommands: [Fetch.self, Show.self, Diff.self]
    )

    /// `ranges fetch`: download, parse, store a snapshot, say what changed.
    struct Fetch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fetch the Ex Libris page, store a snapshot and print the catalog and what changed.",
            discussion: "A failed fetch keeps the last good snapshot (marked stale) and exits 3.")

        @Option(help: ArgumentHelp("The page to fetch.", valueName: "url"))
        var url = CatalogFetcher.defaultURL

        @OptionGroup var history: HistoryOptions
        @OptionGroup var network: NetworkOptions

        func run() async throws {
            let database = try history.open(.readWrite)
            let resolver = try network.makeResolver()
            defer { resolver.shutdown() }
            let client: CurlHTTPClient
            do {
                client = try network.makeHTTPClient(resolver: resolver)
            } catch {
                throw CommandFailure.operational("error: \(error)")
            }
            let fetcher = CatalogFetcher(client: client, store: CatalogStore(database: database))
            let result: CatalogFetcher.Result
            do {
                result = try await fetcher.fetch(url: url)
            } catch let error as HistoryError {
                throw CommandFailure.operational("error: \(error.message)")
            }
            var checks: [CatalogCrossCheck] = []
            if case .failed = result.outcome {} else {
                checks = try await CatalogCrossCheck.check(result.status.catalog, expander: IncludeExpander(resolver: resolver))
            }
            let outcome: String, failure: String?
            switch result.outcome {
            case .stored: (outcome, failure) = ("stored", nil)
            case .notModified: (outcome, failure) = ("not_modified", nil)
            case .failed(let message, _): (outcome, failure) = ("failed", message)
            }
            if network.json {
                try JSONOutput.print(FetchOutput(result: result, outcome: outcome, error: failure, checks: checks))
            } else {
                if let failure { StandardError.write("error: \(failure)") }
                TerminalText.print("fetch: \(outcome)" + (result.status.isStale ? "; using the last good catalog (stale)" : ""))
                CatalogOutput.lines(result.status.catalog).forEach { TerminalText.print($0) }
                if let diff = result.diff {
                    TerminalText.print(diff.isEmpty ? "changed: no" : "changed: yes")
                    diff.lines.forEach { TerminalText.print("  \($0)") }
                }
                for check in checks where !check.agrees {
                    if !check.pageOnly.isEmpty { TerminalText.print("DNS check \(check.region.code): on the page but not in \(check.include): \(check.pageOnly.map(\.description).joined(separator: ", "))") }
                    if !check.includeOnly.isEmpty { TerminalText.print("DNS check \(check.region.code): in \(check.include) but not on the page: \(check.includeOnly.map(\.description).joined(separator: ", "))") }
                    for problem in check.expansion.problems { TerminalText.print("DNS check \(check.region.code): \(problem)") }
                }
            }
            if failure != nil { throw CommandFailure.silent(CommandFailure.operationalStatus) }
        }
    }

    /// `ranges show`: the catalog the scan would use.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the last good catalog (marked stale when the last fetch failed), or the embedded default.")

        @OptionGroup var history: HistoryOptions
        @Flag(help: "Machine-readable output on stdout.")
        var json = false

        func run() async throws {
            let status: CatalogStatus
            do { status = try CatalogStore(database: try history.open(.readOnly)).status() } catch let error as HistoryError { throw CommandFailure.operational("error: \(error.message)") }
            if json {
                try JSONOutput.print(ShowOutput(status: status))
            } else {
                if let snapshot = status.snapshot {
                    let age = Int((status.age() ?? 0) / 3600)
                    TerminalText.print("snapshot \(snapshot.id), fetched \(snapshot.fetchedAt.iso8601) (\(age) h ago)" + (status.isStale ? ", STALE: the last fetch failed: \(status.lastError ?? "")" : ""))
                } else {
                    TerminalText.print("no snapshot yet: this is the embedded default catalog (run 'notice-audit ranges fetch')")
                }
                CatalogOutput.lines(status.catalog).forEach { TerminalText.print($0) }
            }
        }
    }

    /// `ranges diff`: what changed between two snapshots.
    struct Diff: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show what changed between two snapshots (default: the last two).")

        @Option(help: "The older snapshot id.") var from: Int64?
        @Option(help: "The newer snapshot id.") var to: Int64?
        @OptionGroup var history: HistoryOptions
        @Flag(help: "Machine-readable output on stdout.")
        var json = false

        func run() async throws {
            let store = CatalogStore(database: try history.open(.readOnly))
            do {
                guard let newer = try to.map({ try store.snapshot(id: $0) }) ?? store.latest() else {
                    throw CommandFailure.usage("error: no snapshot\(to.map { " \($0)" } ?? "") in \(history.path)")
                }
                guard let older = try from.map({ try store.snapshot(id: $0) }) ?? store.snapshot(before: newer.id) else {
                    throw CommandFailure.usage("error: no snapshot before \(newer.id) to compare with")
                }
                let diff = CatalogDiff(from: older.catalog, to: newer.catalog)
                if json {
                    try JSONOutput.print(DiffCommandOutput(from: older.id, to: newer.id, changed: !diff.isEmpty, regions: DiffOutput(diff).regions))
                } else {
                    TerminalText.print("snapshot \(older.id) → \(newer.id): " + (diff.isEmpty ? "no change" : "changed"))
                    diff.lines.forEach { TerminalText.print("  \($0)") }
                }
            } catch let error as HistoryError {
                throw CommandFailure.operational("error: \(error.message)")
            }
        }
    }
}

struct FetchOutput: Encodable {
    struct Check: Encodable {
        var region: String
        var include: String
        var pageOnly: [String]
        var includeOnly: [String]
        var problems: [String]
        enum CodingKeys: String, CodingKey { case region, include, pageOnly = "page_only", includeOnly = "include_only", problems }
    }

    var regions: [String: CatalogOutput.Region]
    var source: String
    var fetchedAt: String?
    var changed: Bool
    var diff: [String: DiffOutput.Region]
    var outcome: String
    var error: String?
    var stale: Bool
    var crossCheck: [Check]

    enum CodingKeys: String, CodingKey {
        case regions, source, changed, diff, outcome, error, stale
        case fetchedAt = "fetched_at", crossCheck = "dns_cross_check"
    }

    init(result: CatalogFetcher.Result, outcome: String, error: String?, checks: [CatalogCrossCheck]) {
        let catalog = CatalogOutput(result.status.catalog)
        regions = catalog.regions
        source = catalog.source
        fetchedAt = result.status.snapshot?.fetchedAt.iso8601
        changed = result.changed
        diff = result.diff.map { DiffOutput($0).regions } ?? [:]
        self.outcome = outcome
        self.error = error
        stale = result.status.isStale
        crossCheck = checks.map { Check(region: $0.region.code, include: $0.include, pageOnly: $0.pageOnly.map(\.description), includeOnly: $0.includeOnly.map(\.description), problems: $0.expansion.problems) }
    }
}

struct ShowOutput: Encodable {
    var regions: [String: CatalogOutput.Region]
    var source: String
    var fetchedAt: String?
    var snapshot: Int64?
    var stale: Bool
    var ageSeconds: Int?
    var lastError: String?
    enum CodingKeys: String, CodingKey {
        case regions, source, snapshot, stale
        case fetchedAt = "fetched_at", ageSeconds = "age_seconds", lastError = "last_error"
    }

    init(status: CatalogStatus) {
        let catalog = CatalogOutput(status.catalog)
        regions = catalog.regions
        source = catalog.source
        fetchedAt = status.snapshot?.fetchedAt.iso8601
        snapshot = status.snapshot?.id
        stale = status.isStale
        ageSeconds = status.age().map { Int($0) }
        lastError = status.lastError
    }
}

struct DiffCommandOutput: Encodable {
    var from: Int64
    var to: Int64
    var changed: Bool
    var regions: [String: DiffOutput.Region]
}
