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

/// What a finished scan produced: its run (the results are in history, `ScanReport.load`).
public struct ScanOutcome: Sendable {
    public var run: ScanRunRecord
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
    /// is recorded, so that an interrupted scan can name its own run; `resultRecorded` each result
    /// (with its change) and its history row as soon as it is committed (the reports render it while the scan goes on).
    public func run(inventory: consuming Inventory, selection: [String]?, runStarted: @Sendable (Int64) -> Void = { _ in },
                    resultRecorded: @escaping @Sendable (ScanStore.RecordedRow) -> Void = { _ in },
                    progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async throws -> ScanOutcome {
        let institutions = selection.map { ids in inventory.institutions.filter { ids.contains($0.id) } } ?? inventory.institutions
        let expander = IncludeExpander(resolver: resolver)
        let regions = Set(institutions.map(\.region)).sorted()
        // While the page is fetched, the includes the last catalog names are read: the same names,
        // nearly always, so that expanding the fetched catalog's includes finds their answers cached.
        let warming = Task { [expander] in
            // No catalog to go by (history unreadable): nothing to read ahead; the fetch says what is wrong.
            guard let known = try? fetcher.store.status().catalog else { return }
            await withTaskGroup(of: Void.self) { group in
                for include in Set(regions.compactMap({ known.regions[$0]?.spfInclude })) { group.addTask { _ = try? await expander.expand(include) } }
            }
        }
        defer { warming.cancel() }
        // Then what is asked before any institution: the resolver check's names, and the Ex Libris
        // facts of the regions' relays (PTR, blocklists, the envelope's SPF), by the same catalog.
        // Their answers are cached when the fetched catalog's turn comes; what is found here is dropped.
        let randomLabel = ResolverTrustCheck.randomLabel()
        let factRegions = regions.filter { region in institutions.contains { $0.region == region && $0.delivery == .spf } }
        let prefetching = Task { [expander, resolver, checker] in
            _ = await warming.value
            guard let known = try? fetcher.store.status().catalog else { return }
            var built: [RegionRelaySet] = []
            for region in regions { if let set = try? await RegionRelaySet.build(region: region, catalog: known, expander: expander) { built.append(set) } }
            let sets = built
            let includes = sets.compactMap { $0.includeConfirmed ? $0.include : nil }
            await withTaskGroup(of: Void.self) { group in
                group.addTask { _ = try? await ResolverTrustCheck(resolver: resolver).check(includes: includes, randomLabel: randomLabel) }
                for set in sets where factRegions.contains(set.region) {
                    group.addTask { _ = try? await ExLibrisRegionFacts.check(set, resolver: resolver, reputation: checker.reputation) }
                }
            }
        }
        defer { prefetching.cancel() }
        let fetched = try await fetcher.fetch(url: options.catalogURL)
        // "The catalog changed" means: against the catalog the previous consortium scan used,
        // however many `ranges fetch` ran in between (../shared/domain.md, "Changes between runs").
        var previousCatalog: CatalogSnapshot?
        if let previousID = try store.previousConsortiumCatalogSnapshotID(), previousID != fetched.status.snapshot?.id {
            previousCatalog = try fetcher.store.snapshot(id: previousID)
        }
        let fetchFindings = CatalogFindings.fetch(fetched, previous: previousCatalog)
        var relaySets: [AlmaRegion: RegionRelaySet] = [:]
        for region in regions {
            relaySets[region] = try await RegionRelaySet.build(region: region, catalog: fetched.status.catalog, expander: expander)
        }
        // Its work is done (or was for names the fetched catalog no longer uses).
        warming.cancel()
        let builtSets = relaySets
        // The scanner's own view of DNS, before any institution (../shared/domain.md): the includes
        // were just asked (their answers are cached); a resolver that lies proves nothing, so no
        // institution is checked and nothing derived from its answers is said.
        let includes = regions.compactMap { builtSets[$0]!.includeConfirmed ? builtSets[$0]!.include : nil }
        let trust = try await ResolverTrustCheck(resolver: resolver).check(includes: includes, randomLabel: randomLabel)
        let untrusted = trust.finding
        // Alma mail from addresses the catalog does not know, as receivers reported it: against the
        // relay sets of every region the catalog knows (a member's mail from another region's Ex
        // Libris relay is not drift). The other regions' includes are expanded only when the
        // scanned regions' sets leave something unexplained: a run without drift asks nothing more.
        var drift: Finding?
        if let observations = checker.observations, untrusted == nil {
            let members = inventory.institutions.map { ($0.id, $0.senderDomains.map(\.name)) }
            drift = observations.drift(members: members, relays: builtSets.values.flatMap(\.networks))
            if drift != nil {
                var everyRegion = builtSets
                for region in fetched.status.catalog.regions.keys.sorted() where everyRegion[region] == nil {
                    everyRegion[region] = try await RegionRelaySet.build(region: region, catalog: fetched.status.catalog, expander: expander)
                }
                drift = observations.drift(members: members, relays: everyRegion.values.flatMap(\.networks))
            }
        }
        // The Ex Libris relays' rows of the receivers' rules, once per region and run, before any
        // institution: with the catalog and the resolver's trust, they are the causes a run states
        // once, so that each institution's letter is decided when it is rendered (the checks of
        // the region's institutions read the same facts).
        let exLibris = try await withThrowingTaskGroup(of: (AlmaRegion, [Finding]).self) { group in
            for region in untrusted != nil ? [] : factRegions { group.addTask { (region, try await checker.exLibrisFacts(for: builtSets[region]!).findings) } }
            var findings: [AlmaRegion: [Finding]] = [:]
            for try await (region, regionFindings) in group { findings[region] = regionFindings }
            return findings
        }
        // Run-level findings in the order the reports list them: the fetch, then per region its
        // relay set and its Ex Libris facts, then what receivers reported, then a resolver that
        // answered none of its check's queries. A resolver that lies leaves one: what the fetch,
        // the relay sets and the drift said went through it.
        var runFindings: [Finding]
        if let untrusted {
            runFindings = [untrusted]
        } else {
            runFindings = fetchFindings
            for region in regions { runFindings += CatalogFindings.relaySet(builtSets[region]!) + (exLibris[region] ?? []) }
            if let drift { runFindings.append(drift) }
            if trust.verdict == .unreachable { runFindings.append(RunLevelCauses.dnsUnreachable(queries: queriesSent)) }
        }
        let runID = try store.beginRun(trigger: selection == nil ? options.trigger : .adhoc, consortium: inventory.consortium, selection: selection,
                                       catalog: fetched.status, notes: [], findings: runFindings)
        runStarted(runID)
        // From here the institutions are the queue's alone: each chunk is freed once checked.
        _ = consume inventory
        let queue = InstitutionQueue(consume institutions)
        do {
            let relaySets = relaySets
            let deadlines = DeadlineTimer()
            let verdicts = try await withHeartbeat(run: runID, deadlines: deadlines) {
                try await checkAll(queue, relaySets: relaySets, untrusted: untrusted, deadlines: deadlines, run: runID, recorded: resultRecorded, progress: progress)
            }
            try store.setRunFindings(causes(runFindings, verdicts: verdicts), run: runID)
            try store.finishRun(runID, status: .completed, dnsQueries: queriesSent)
            return ScanOutcome(run: try store.run(id: runID)!)
        } catch {
            try? store.finishRun(runID, status: error is CancellationError ? .aborted : .failed, dnsQueries: queriesSent)
            throw error
        }
    }

    /// The DNS queries this run sent to a server so far (cache hits not counted), and those answered:
    /// the one place the resolver's counts are read. They reach the outputs through the run
    /// (`DNS_UNREACHABLE`, ``ScanRunRecord/dnsQueries`` for the metrics).
    private var queriesSent: Int { (resolver as? any DNSQueryStatistics)?.queriesSent ?? 0 }
    private var queriesAnswered: Int { (resolver as? any DNSQueryStatistics)?.queriesAnswered ?? 0 }

    /// The run-level findings with the institutions each cause affects. `DNS_UNREACHABLE`, decided
    /// when the resolver check got no answer, says the run's whole count; a blocklist found unusable
    /// midway is added (it never decides a verdict).
    private func causes(_ findings: [Finding], verdicts: [RunLevelCauses.Verdict]) -> [Finding] {
        var findings = findings
        let silent = findings.contains { $0.code == .dnsUnreachable }
        if let index = findings.firstIndex(where: { $0.code == .dnsUnreachable }) { findings[index] = RunLevelCauses.dnsUnreachable(queries: queriesSent, answered: queriesAnswered) }
        if let unusable = checker.reputation.unusableFinding() { findings.insert(unusable, at: silent ? findings.count - 1 : findings.count) }
        return RunLevelCauses.attach(to: findings, verdicts: verdicts, dnsSilent: silent)
    }

    /// Checks every institution with a bounded width, committing each result as it completes and
    /// keeping only what the run-level causes need of it (the reports read the results from history).
    private func checkAll(_ institutions: InstitutionQueue, relaySets: [AlmaRegion: RegionRelaySet], untrusted: Finding?, deadlines: DeadlineTimer, run runID: Int64,
                          recorded: @Sendable (ScanStore.RecordedRow) -> Void, progress: @Sendable (Int, Int) -> Void) async throws -> [RunLevelCauses.Verdict] {
        var verdicts: [RunLevelCauses.Verdict] = []
        verdicts.reserveCapacity(institutions.count)
        try await withThrowingTaskGroup(of: InstitutionResult.self) { group in
            func startNext() {
                guard let institution = institutions.next(), let relays = relaySets[institution.region] else { return }
                group.addTask {
                    guard let untrusted else { return try await check(institution, relays: relays, deadlines: deadlines) }
                    return RunLevelCauses.notChecked(institution, because: untrusted)
                }
            }
            for _ in 0..<max(1, options.concurrency) { startNext() }
            while let result = try await group.next() {
                let stored = try store.recordRow(result, run: runID)
                verdicts.append(RunLevelCauses.Verdict(stored.result))
                recorded(stored)
                progress(verdicts.count, institutions.count)
                // Memory flat in the number of institutions: what the finished checks freed goes back.
                if verdicts.count % 2000 == 0 { HeapTrim.releaseFreePages() }
                startNext()
            }
        }
        return verdicts
    }

    /// Runs `body` while a child task records the run's heartbeat every ``ScanOptions/heartbeatInterval``
    /// and another turns `deadlines` (every tenth of the institution deadline, at most every second).
    private func withHeartbeat<T: Sendable>(run: Int64, deadlines: DeadlineTimer, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let interval = options.heartbeatInterval
        let tick = max(.milliseconds(10), min(.seconds(1), options.institutionDeadline / 10))
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                await deadlines.run(every: tick)
                return nil
            }
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

    /// One institution within its deadline. The checks record each decided outcome in a
    /// ``CheckLedger``; when the deadline cuts them, what was proved stands and the rest is
    /// `unknown` (`SCAN_DEADLINE`). An unexpected error gives `unknown` (`SCAN_ERROR`).
    private func check(_ institution: Institution, relays: RegionRelaySet, deadlines: DeadlineTimer) async throws -> InstitutionResult {
        let deadline = options.institutionDeadline
        let ledger = CheckLedger()
        let start = ContinuousClock.now
        func elapsed() -> Int { Int((ContinuousClock.now - start).milliseconds) }
        do {
            let finished = try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    try await checker.check(institution, relays: relays, into: ledger)
                    return true
                }
                group.addTask {
                    try await deadlines.sleep(until: start + deadline)
                    return false
                }
                let first = try await group.next() ?? false
                group.cancelAll()
                return first
            }
            return ledger.result(for: institution, cut: finished ? nil : deadline, durationMilliseconds: elapsed())
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            return ledger.result(for: institution, failedWith: error, durationMilliseconds: elapsed())
        }
    }
}
