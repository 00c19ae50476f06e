import Foundation

/// Settings of one scan.
public struct ScanOptions: Sendable {
    /// Institutions checked at once (`--concurrency`).
    public var concurrency = 16
    /// The longest one institution may take; past it, its verdict is unknown.
    public var institutionDeadline: Duration = .seconds(120)
    public var trigger: ScanTrigger = .manual
    public var catalogURL = CatalogFetcher.defaultURL
    /// How often a running scan says it is alive (``ScanStore/heartbeat(run:now:)``); a run
    /// silent for ``ScanStore/staleAfter`` is taken for dead by the next scan.
    public var heartbeatInterval: Duration = .seconds(30)

    public init() {}
}

/// What a finished (or aborted) scan produced.
public struct ScanOutcome: Sendable {
    public var run: ScanRunRecord
    public var results: [InstitutionResult]
}

/// The nightly job: refresh the catalog, check every institution concurrently with a bounded
/// width, and commit each result as it completes. One institution's failure never stops the
/// others; cancellation ends the run as aborted.
public struct Scanner: Sendable {
    public let resolver: any DNSResolver
    public let fetcher: CatalogFetcher
    public let checker: InstitutionChecker
    public let store: ScanStore
    public var options: ScanOptions

    public init(resolver: any DNSResolver, fetcher: CatalogFetcher, checker: InstitutionChecker, store: ScanStore, options: ScanOptions) {
        self.resolver = resolver
        self.fetcher = fetcher
        self.checker = checker
        self.store = store
        self.options = options
    }

    /// Scans `institutions` (all of the inventory's, or an ad-hoc selection) and reports progress
    /// as (done, total) after each institution. `runStarted` receives the run's id as soon as it
    /// is recorded, so that an interrupted scan can name its own run.
    public func run(inventory: Inventory, selection: [String]?, runStarted: @Sendable (Int64) -> Void = { _ in },
                    progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async throws -> ScanOutcome {
        let institutions = selection.map { ids in inventory.institutions.filter { ids.contains($0.id) } } ?? inventory.institutions
        var notes: [String] = []
        let fetched = try await fetcher.fetch(url: options.catalogURL)
        if case .failed(let message, _) = fetched.outcome {
            notes.append(fetched.status.snapshot == nil
                ? "The Ex Libris page could not be fetched (\(message)); no earlier snapshot exists, so the embedded default catalog was used."
                : "The Ex Libris page could not be fetched (\(message)); the last good snapshot was used and is stale.")
        }
        if fetched.changed, let diff = fetched.diff {
            notes.append("The Ex Libris relay catalog changed since the previous snapshot: " + diff.lines.joined(separator: "; "))
        }
        var relaySets: [AlmaRegion: RegionRelaySet] = [:]
        let expander = IncludeExpander(resolver: resolver)
        for region in Set(institutions.map(\.region)).sorted() {
            let set = try await RegionRelaySet.build(region: region, catalog: fetched.status.catalog, expander: expander)
            relaySets[region] = set
            if let check = set.crossCheck, !check.pageOnly.isEmpty || !check.includeOnly.isEmpty {
                notes.append("\(region.code): the Ex Libris page and \(check.include) disagree: on the page only \(check.pageOnly.map(\.description).joined(separator: ", ")); in DNS only \(check.includeOnly.map(\.description).joined(separator: ", ")). Both are checked.")
            }
            if set.isUnknown { notes.append("\(region.code): no relay address is known (\(set.problems.joined(separator: "; "))); SPF verdicts are unknown.") }
        }
        let runID = try store.beginRun(trigger: selection == nil ? options.trigger : .adhoc, consortium: inventory.consortium, selection: selection, catalog: fetched.status, notes: notes)
        runStarted(runID)
        do {
            let relaySets = relaySets
            let results = try await withHeartbeat(run: runID) {
                try await checkAll(institutions, relaySets: relaySets, run: runID, progress: progress)
            }
            try store.finishRun(runID, status: .completed)
            return ScanOutcome(run: try store.run(id: runID)!, results: results.sorted { $0.institutionID < $1.institutionID })
        } catch {
            try? store.finishRun(runID, status: error is CancellationError ? .aborted : .failed)
            throw error
        }
    }

    /// Checks every institution with a bounded width, committing each result as it completes.
    private func checkAll(_ institutions: [Institution], relaySets: [AlmaRegion: RegionRelaySet], run runID: Int64,
                          progress: @Sendable (Int, Int) -> Void) async throws -> [InstitutionResult] {
        var results: [InstitutionResult] = []
        try await withThrowingTaskGroup(of: InstitutionResult.self) { group in
            var pending = institutions[...]
            func startNext() {
                guard let institution = pending.popFirst(), let relays = relaySets[institution.region] else { return }
                group.addTask { try await check(institution, relays: relays) }
            }
            for _ in 0..<max(1, options.concurrency) { startNext() }
            while let result = try await group.next() {
                results.append(try store.record(result, run: runID))
                progress(results.count, institutions.count)
                startNext()
            }
        }
        return results
    }

    /// Runs `body` while a child task records the run's heartbeat every ``ScanOptions/heartbeatInterval``.
    private func withHeartbeat<T: Sendable>(run: Int64, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let interval = options.heartbeatInterval
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                while true {
                    try await Task.sleep(for: interval)
                    // A missed beat (the database busy for a moment) is made up by the next one;
                    // only a run silent for minutes is taken for dead.
                    try? store.heartbeat(run: run)
                }
            }
            defer { group.cancelAll() }
            while let value = try await group.next() {
                if let value { return value }
            }
            throw CancellationError()
        }
    }

    /// One institution within its deadline; an error or an expired deadline gives `unknown`.
    private func check(_ institution: Institution, relays: RegionRelaySet) async throws -> InstitutionResult {
        let deadline = options.institutionDeadline
        do {
            let result = try await withThrowingTaskGroup(of: InstitutionResult?.self) { group in
                group.addTask { try await checker.check(institution, relays: relays) }
                group.addTask {
                    try await Task.sleep(for: deadline)
                    return nil
                }
                let first = try await group.next() ?? nil
                group.cancelAll()
                return first
            }
            if let result { return result }
            return Self.failed(institution, code: "SCAN_DEADLINE", message: "The checks did not finish within \(deadline).",
                               remediation: "Check the DNS servers and relays of this institution; raise the deadline if they are merely slow.")
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            return Self.failed(institution, code: "SCAN_ERROR", message: "The checks failed: \(error).", remediation: "Report this to the notice-audit maintainers with the log.")
        }
    }

    static func failed(_ institution: Institution, code: String, message: String, remediation: String) -> InstitutionResult {
        InstitutionResult(
            institutionID: institution.id, name: institution.name, method: institution.delivery, status: .unknown, spfResult: nil, dmarcPolicy: nil,
            relayStatus: nil, change: .new, findings: [Finding(code: code, severity: .error, target: institution.id, message: message, remediation: remediation)],
            domains: [], relay: nil, durationMilliseconds: 0)
    }
}
