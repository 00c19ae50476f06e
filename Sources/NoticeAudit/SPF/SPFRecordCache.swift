import Foundation

/// Parsed SPF records by domain, shared by every evaluation of one ``SPFEvaluator``: a scan
/// evaluates the same few records for thousands of addresses, and parsing dominates otherwise.
/// An entry is used only while the domain still publishes the same bytes.
final class SPFRecordCache: @unchecked Sendable {
    // @unchecked: every access to `entries` holds `lock`.
    private let lock = NSLock()
    private var entries: [String: (bytes: [UInt8], parsed: Result<SPFRecord, SPFSyntaxError>)] = [:]
    private let capacity: Int

    init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    /// The parsed record that `domain` publishes as `bytes`, parsing it on first use.
    func record(for bytes: [UInt8], at domain: String) -> Result<SPFRecord, SPFSyntaxError> {
        lock.lock()
        if let entry = entries[domain], entry.bytes == bytes {
            lock.unlock()
            return entry.parsed
        }
        lock.unlock()
        let parsed = Result { () throws(SPFSyntaxError) -> SPFRecord in try SPFParser.parse(String(decoding: bytes, as: UTF8.self)) }
        lock.lock()
        if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
        entries[domain] = (bytes, parsed)
        lock.unlock()
        return parsed
    }
}
