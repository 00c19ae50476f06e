import Foundation

/// Reads DMARC aggregate reports from files and folders (XML, `.xml.gz`, `.zip`, and messages,
/// `.eml` or mbox, with one of those attached) into the
/// history. A file that is not a report is refused with the reason, and nothing else of the batch
/// is lost; a report stored before is counted as a duplicate and adds nothing.
public struct ReportIngester: Sendable {
    /// What one ingest did (`dmarc-reports ingest --json`).
    public struct Summary: Sendable, Equatable, Encodable {
        public struct Rejected: Sendable, Equatable, Encodable {
            public var path: String
            public var reason: String
        }

        public var files = 0
        public var reports = 0
        public var duplicates = 0
        public var records = 0
        public var rejected: [Rejected] = []
        /// What had to be recovered to read a file (invalid UTF-8), per path.
        public var recovered: [Rejected] = []
    }

    public let store: DMARCReportStore

    public init(store: DMARCReportStore) {
        self.store = store
    }

    /// Ingests every path: files, and the regular files of folders (recursively, in name order).
    public func ingest(paths: [String]) throws(HistoryError) -> Summary {
        var summary = Summary()
        for path in paths {
            for file in Self.files(at: path, summary: &summary) {
                summary.files += 1
                try ingest(file: file, into: &summary)
            }
        }
        return summary
    }

    /// Ingests the unseen messages of `mailbox` one at a time (memory: one message); each message
    /// read is flagged `\Seen`, or moved to `moveTo`. A history error stops before the message is
    /// flagged, so that it is read again next time.
    public func ingest(mailbox: IMAPMailbox, moveTo: String? = nil) async throws -> Summary {
        var summary = Summary()
        for uid in try await mailbox.unseen() {
            let bytes = try await mailbox.message(uid: uid)
            summary.files += 1
            try ingest(bytes: bytes, name: "\(mailbox.url.absoluteString) UID \(uid)", into: &summary)
            if let moveTo {
                try await mailbox.move(uid: uid, to: moveTo)
            } else {
                try await mailbox.markSeen(uid: uid)
            }
        }
        return summary
    }

    private func ingest(file: String, into summary: inout Summary) throws(HistoryError) {
        guard let data = FileManager.default.contents(atPath: file) else {
            summary.rejected.append(.init(path: file, reason: "cannot be read"))
            return
        }
        try ingest(bytes: [UInt8](data), name: file, into: &summary)
    }

    /// One file's or message's bytes, named `file` in what is said of it.
    private func ingest(bytes: [UInt8], name file: String, into summary: inout Summary) throws(HistoryError) {
        var documents: [(name: String, bytes: [UInt8])] = []
        if Archive.isCompressed(bytes) {
            do {
                documents = try Archive.entries(of: bytes).map { ($0.name, $0.bytes) }
            } catch {
                summary.rejected.append(.init(path: file, reason: error.description))
                return
            }
            if documents.isEmpty { summary.rejected.append(.init(path: file, reason: "the archive holds no file")); return }
        } else if Self.looksLikeMessage(bytes) {
            // A message (or an mbox of them): every attachment that is a report, compressed or not,
            // whatever content type was declared.
            let messages: Int, parts: [MailMessages.Part]
            do { (messages, parts) = try MailMessages.parts(of: bytes) } catch {
                summary.rejected.append(.init(path: file, reason: error.description))
                return
            }
            for part in parts {
                let name = part.filename ?? part.contentType ?? "attachment"
                if Archive.isCompressed(part.bytes) {
                    do {
                        documents += try Archive.entries(of: part.bytes).map { ("\(name): \($0.name)", $0.bytes) }
                    } catch {
                        summary.rejected.append(.init(path: "\(file) (\(name))", reason: error.description))
                    }
                } else if Self.looksLikeXML(part.bytes), part.contentType?.lowercased() != "text/html" {
                    documents.append((name, part.bytes))
                }
            }
            if documents.isEmpty {
                summary.rejected.append(.init(path: file, reason: messages == 0 ? "not a mail message that MIME can read" : "no DMARC report is attached (no XML, gzip or zip part in \(messages) message\(messages == 1 ? "" : "s"))"))
                return
            }
        } else {
            documents = [(file, bytes)]
        }
        for document in documents {
            let where_ = documents.count == 1 && document.name == file ? file : "\(file) (\(document.name))"
            do {
                let parsed = try AggregateReportParser.parse(document.bytes)
                if !parsed.recovered.isEmpty { summary.recovered.append(.init(path: where_, reason: parsed.recovered.joined(separator: "; "))) }
                if try store.store(parsed.report, raw: document.bytes) {
                    summary.reports += 1
                    summary.records += parsed.report.records.count
                } else {
                    summary.duplicates += 1
                }
            } catch let refusal as ReportRefusal {
                summary.rejected.append(.init(path: where_, reason: refusal.description))
            } catch let error as HistoryError {
                throw error
            } catch {
                summary.rejected.append(.init(path: where_, reason: "\(error)"))
            }
        }
    }

    /// XML starts with `<` after optional white space and a byte order mark.
    static func looksLikeXML(_ bytes: [UInt8]) -> Bool {
        var rest = bytes[...]
        if rest.starts(with: [0xEF, 0xBB, 0xBF]) { rest = rest.dropFirst(3) }
        return rest.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) } == UInt8(ascii: "<")
    }

    /// A mail message starts with header fields (`Received:`, `From `, `Return-Path:`, …).
    static func looksLikeMessage(_ bytes: [UInt8]) -> Bool {
        let head = String(decoding: bytes.prefix(200), as: UTF8.self)
        return head.hasPrefix("From ") || head.range(of: #"^[A-Za-z-]+: "#, options: .regularExpression) != nil
    }

    /// The files at `path`: itself, or a folder's regular files, recursively, in name order.
    static func files(at path: String, summary: inout Summary) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            summary.rejected.append(.init(path: path, reason: "no such file or folder"))
            return []
        }
        guard isDirectory.boolValue else { return [path] }
        guard let enumerator = FileManager.default.enumerator(atPath: path) else { return [] }
        var files: [String] = []
        for case let name as String in enumerator {
            let full = (path as NSString).appendingPathComponent(name)
            var inner: ObjCBool = false
            if FileManager.default.fileExists(atPath: full, isDirectory: &inner), !inner.boolValue, !name.split(separator: "/").contains(where: { $0.hasPrefix(".") }) {
                files.append(full)
            }
        }
        return files.sorted()
    }
}
