import Foundation
import Testing
@testable import NoticeAudit

/// Fetching the Ex Libris page from the lab's HTTPS server: every variant, snapshots, changes.
@Suite("Ex Libris catalog over HTTPS (the lab)", .enabled(if: LabEnvironment.isAvailable, "the lab is not running (make lab-start)"))
struct CatalogFetchTests {
    static var lab: LabEnvironment { LabEnvironment.current! }
    static func url(_ path: String, rogue: Bool = false) -> String {
        "https://\(lab["LAB_HTTPS_HOSTNAME"]):\(lab[rogue ? "LAB_HTTPS_ROGUE_PORT" : "LAB_HTTPS_PORT"])/\(path)"
    }

    /// A client that resolves lab names through the lab's nsd and trusts the lab CA.
    static func withClient<T>(timeout: Duration = .seconds(20), connectTimeout: Duration = .seconds(15), engine: CurlEngine = .shared,
                              _ body: (CurlHTTPClient, CAresResolver) async throws -> T) async throws -> T {
        let resolver = try CAresResolver(servers: [try DNSServerAddress(parsing: lab["LAB_DNS"])], timeout: .seconds(10))
        defer { resolver.shutdown() }
        let client = try CurlHTTPClient(timeout: timeout, connectTimeout: connectTimeout, extraCAFile: lab["LAB_CA_FILE"], resolver: resolver, engine: engine)
        return try await body(client, resolver)
    }

    static func temporaryStore() throws -> (CatalogStore, TemporaryDirectory) {
        let directory = try TemporaryDirectory()
        return (CatalogStore(database: try HistoryDatabase(path: directory.url.appendingPathComponent("history.sqlite").path)), directory)
    }

    @Test(arguments: ["exlibris/v1.html", "exlibris/v2.html", "exlibris/list.html", "exlibris/extra-columns.html"])
    func everyPageVariantGivesTheNorthAmericaRelays(_ path: String) async throws {
        let catalog = try await Self.withClient { client, _ in
            try RelayPageParser.parse(try await client.get(Self.url(path)).body, source: path)
        }
        #expect(catalog.regions[.northAmerica]?.spfInclude == "spf-na.exlibrisgroup.com")
        #expect(catalog.regions[.northAmerica]?.addresses.contains(IPNetwork(cidr: "192.0.2.16/28")!) == true)
    }

    @Test(arguments: [
        ("exlibris/missing-section.html", "page_unparsable", "no \"Mail Relay Gateways\" section"),
        ("exlibris/no-addresses.html", "page_unparsable", "lists no IP address"),
        ("status/500", "http_500", "HTTP status 500"),
        ("redirect-loop", "http_redirects", "more than 5 redirects"),
        ("endless", "http_body_too_large", "larger than 5242880 bytes"),
    ])
    func brokenSourcesFailLoudlyAndKeepNothingBad(path: String, code: String, message: String) async throws {
        let (store, directory) = try Self.temporaryStore()
        let result = try await Self.withClient { client, _ in try await CatalogFetcher(client: client, store: store).fetch(url: Self.url(path)) }
        guard case .failed(let text, let failureCode) = result.outcome else {
            Issue.record("expected a failure, got \(result.outcome)")
            return
        }
        #expect(failureCode == code)
        #expect(text.contains(message), "\(text)")
        #expect(result.status.catalog.source == DefaultRelayCatalog.source)
        _ = directory
    }

    @Test func slowServerTimesOut() async throws {
        await #expect {
            try await Self.withClient(timeout: .seconds(1), connectTimeout: .seconds(1)) { client, _ in try await client.get(Self.url("slow")) }
        } throws: { error in
            if case .timeout = error as? HTTPFetchError { return true }
            return false
        }
    }

    @Test func certificateFromAnUnknownCAIsATLSError() async throws {
        await #expect {
            try await Self.withClient { client, _ in try await client.get(Self.url("exlibris/v1.html", rogue: true)) }
        } throws: { error in
            guard case .tls(let detail) = error as? HTTPFetchError else { return false }
            return detail.contains("certificate")
        }
    }

    @Test func unknownHostIsADNSError() async throws {
        await #expect {
            try await Self.withClient { client, _ in try await client.get("https://nowhere.lab.test:8443/") }
        } throws: { error in
            if case .dns(let host, _) = error as? HTTPFetchError { return host == "nowhere.lab.test" }
            return false
        }
    }

    @Test func changesAreReportedExactlyAndTheETagIsUsed() async throws {
        let (store, directory) = try Self.temporaryStore()
        try await Self.withClient { client, _ in
            let fetcher = CatalogFetcher(client: client, store: store)
            let first = try await fetcher.fetch(url: Self.url("exlibris/v1.html"))
            guard case .stored = first.outcome else { Issue.record("first fetch: \(first.outcome)"); return }
            #expect(first.diff == nil)

            let again = try await fetcher.fetch(url: Self.url("exlibris/v1.html"))
            guard case .notModified = again.outcome else { Issue.record("second fetch: \(again.outcome)"); return }
            #expect(!again.changed)
            let log = try String(contentsOfFile: Self.lab["LAB_HTTPS_LOG"], encoding: .utf8)
            let etag = try #require(try store.latest()?.etag)
            #expect(log.contains("\"if_none_match\": \(String(reflecting: etag))"))

            let second = try await fetcher.fetch(url: Self.url("exlibris/v2.html"))
            #expect(second.changed)
            let na = try #require(second.diff?.regions[.northAmerica])
            #expect(na.addedAddresses.map(\.description) == ["198.51.100.8/32"])
            #expect(na.removedAddresses.map(\.description) == ["198.51.100.7/32"])
            #expect(second.diff?.regions[.europe]?.addedAddresses.map(\.description) == ["2001:db8:e0::/48"])
            #expect(second.diff?.regions.count == 2)
        }
        _ = directory
    }

    @Test func failedFetchKeepsTheLastGoodCatalogMarkedStale() async throws {
        let directory = try TemporaryDirectory()
        let database = directory.url.appendingPathComponent("history.sqlite").path
        let common = ["--db", database, "--dns-server", Self.lab["LAB_DNS"], "--ca-file", Self.lab["LAB_CA_FILE"], "--timeout", "10"]
        let good = try await CommandRunner.run(["ranges", "fetch", "--url", Self.url("exlibris/v1.html"), "--json"] + common)
        #expect(good.status == 0, "\(good.stdout) \(good.stderr)")
        let bad = try await CommandRunner.run(["ranges", "fetch", "--url", Self.url("status/500"), "--json"] + common)
        #expect(bad.status == 3)
        let show = try await CommandRunner.run(["ranges", "show", "--db", database, "--json"])
        #expect(show.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
        #expect(object["stale"] as? Bool == true)
        #expect((object["last_error"] as? String)?.contains("HTTP status 500") == true)
        #expect(object["source"] as? String == Self.url("exlibris/v1.html"))
        let regions = try #require(object["regions"] as? [String: Any])
        #expect(regions.keys.sorted() == ["AP", "CA", "CN", "EU", "NA"])
    }

    @Test func pageAndIncludeDisagreementIsFound() async throws {
        let checks = try await Self.withClient { client, resolver in
            let catalog = try RelayPageParser.parse(try await client.get(Self.url("exlibris/v1.html")).body, source: "v1")
            return try await CatalogCrossCheck.check(catalog, expander: IncludeExpander(resolver: resolver))
        }
        let na = try #require(checks.first { $0.region == .northAmerica })
        #expect(na.agrees)
        let eu = try #require(checks.first { $0.region == .europe })
        #expect(eu.pageOnly.map(\.description) == ["203.0.113.11/32"])
        #expect(eu.includeOnly.map(\.description) == ["203.0.113.12/32"])
    }

    /// On an engine of its own: a hundred TLS handshakes in one `curl_multi_perform` took 8 s on
    /// a loaded machine, long enough for the shared engine's other transfers (the relay probe
    /// tests') to pass their reply timeouts.
    @Test func hundredConcurrentFetchesShareOneCurlThread() async throws {
        let engine = try CurlEngine()
        defer { engine.shutdown() }
        let threads = try await Self.withClient(timeout: .seconds(60), connectTimeout: .seconds(60), engine: engine) { client, _ in
            try await withThrowingTaskGroup(of: UInt?.self) { group in
                for _ in 0..<100 { group.addTask { try await client.get(Self.url("exlibris/v1.html")).callbackThread } }
                return try await group.reduce(into: Set<UInt?>()) { $0.insert($1) }
            }
        }
        #expect(threads.count == 1)
        #expect(threads.first! == engine.engineThread)
    }
}
