import Foundation
import Logging

/// Fetches the Ex Libris page, parses it, stores a snapshot, and says what changed. A failed fetch
/// never erases what was known: it is recorded and the last good snapshot stays, marked stale.
public struct CatalogFetcher: Sendable {
    /// The Knowledge Center article (../shared/domain.md).
    public static let defaultURL = "https://knowledge.exlibrisgroup.com/Alma/Implementation_and_Migration/Implementation_Guides/03Technical_Requirements_for_Alma_and_Discovery_Implementation#Mail_Relay_Gateways"

    /// The result of one fetch.
    public struct Result: Sendable {
        public enum Outcome: Sendable {
            /// A page was parsed and stored.
            case stored
            /// The server said the page did not change since the last snapshot (HTTP 304).
            case notModified
            /// The fetch or the parse failed; `status` holds the last good catalog.
            case failed(String, code: String)
        }

        public var outcome: Outcome
        /// The catalog to use now.
        public var status: CatalogStatus
        /// Against the previous snapshot; empty when nothing changed or nothing was stored.
        public var diff: CatalogDiff?
        public var changed: Bool { !(diff?.isEmpty ?? true) }
    }

    public let client: CurlHTTPClient
    public let store: CatalogStore

    /// Debug logs of the fetch (`--log-level debug`).
    static let logger = Logger(label: "notice-audit.catalog")

    public init(client: CurlHTTPClient, store: CatalogStore) {
        self.client = client
        self.store = store
    }

    public func fetch(url: String = CatalogFetcher.defaultURL, now: Date = Date()) async throws -> Result {
        let previous = try store.latest()
        // Reuse validators only for the same URL: another URL is another page.
        let sameURL = previous?.url == url
        let response: HTTPResponse
        let started = ContinuousClock.now
        Self.logger.debug("catalog fetch started", metadata: ["catalog.url": "\(url)", "catalog.conditional": "\(sameURL && (previous?.etag != nil || previous?.lastModified != nil))"])
        do {
            response = try await client.get(url, etag: sameURL ? previous?.etag : nil, lastModified: sameURL ? previous?.lastModified : nil)
        } catch let error as HTTPFetchError {
            Self.logger.debug("catalog fetch failed", metadata: ["catalog.url": "\(url)", "catalog.error": "\(error)", "catalog.ms": "\((ContinuousClock.now - started).milliseconds)"])
            return try failed(url: url, now: now, code: error.shortCode, message: "fetching \(url) failed: \(error)", previous: previous)
        }
        Self.logger.debug("catalog fetch finished", metadata: [
            "catalog.url": "\(url)", "catalog.http_status": "\(response.status)", "catalog.bytes": "\(response.body.count)",
            "catalog.ms": "\((ContinuousClock.now - started).milliseconds)",
        ])
        if response.notModified, let previous {
            try store.recordAttempt(url: url, at: now, failure: nil, snapshotID: previous.id)
            return Result(outcome: .notModified, status: try store.status(), diff: CatalogDiff(from: previous.catalog, to: previous.catalog))
        }
        let catalog: RelayCatalog
        do {
            catalog = try RelayPageParser.parse(response.body, source: url)
        } catch {
            return try failed(url: url, now: now, code: "page_unparsable", message: error.description, previous: previous)
        }
        let snapshot = try store.store(url: url, fetchedAt: now, etag: response.etag, lastModified: response.lastModified, body: response.body, catalog: catalog)
        let diff = previous.map { CatalogDiff(from: $0.catalog, to: snapshot.catalog) }
        return Result(outcome: .stored, status: try store.status(), diff: diff)
    }

    private func failed(url: String, now: Date, code: String, message: String, previous: CatalogSnapshot?) throws -> Result {
        try store.recordAttempt(url: url, at: now, failure: (code, message), snapshotID: previous?.id)
        return Result(outcome: .failed(message, code: code), status: try store.status(), diff: nil)
    }
}
