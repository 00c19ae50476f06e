import Foundation

/// `--metrics-file`: the run as Prometheus text-format gauges named `notice_audit_*` (Prometheus
/// exposition format 0.0.4), for node_exporter's textfile collector. ``write(_:to:)`` writes a
/// temporary file in the same folder and renames it, as that collector requires.
public struct MetricsRenderer: Sendable {
    /// What one scan measured.
    public struct Sample: Sendable {
        public var report: ScanReport?
        public var startedAt: Date
        public var finishedAt: Date
        /// Seconds since the catalog used was fetched, at the end of the run.
        public var catalogAgeSeconds: Double?
        public var dnsQueries: Int?
        public var exitStatus: Int32

        public init(report: ScanReport?, startedAt: Date, finishedAt: Date, catalogAgeSeconds: Double?, dnsQueries: Int?, exitStatus: Int32) {
            self.report = report
            self.startedAt = startedAt
            self.finishedAt = finishedAt
            self.catalogAgeSeconds = catalogAgeSeconds
            self.dnsQueries = dnsQueries
            self.exitStatus = exitStatus
        }
    }

    public let sample: Sample

    public init(_ sample: Sample) {
        self.sample = sample
    }

    /// The metrics in Prometheus text format, one `# HELP`/`# TYPE` pair per family.
    public func render() -> String {
        var out = ""
        func gauge(_ name: String, _ help: String, _ series: [(labels: String, value: String)]) {
            guard !series.isEmpty else { return }
            out += "# HELP notice_audit_\(name) \(help)\n# TYPE notice_audit_\(name) gauge\n"
            for (labels, value) in series { out += "notice_audit_\(name)\(labels.isEmpty ? "" : "{\(labels)}") \(value)\n" }
        }
        func number(_ value: Double) -> String { FixedPoint.text(value, decimals: 3) }
        gauge("last_run_exit_status", "Exit status of the last scan (0 all compliant, 1 some not, 2 usage, 3 could not run).", [("", "\(sample.exitStatus)")])
        gauge("last_run_start_timestamp_seconds", "When the last scan started (Unix time).", [("", number(sample.startedAt.timeIntervalSince1970))])
        gauge("last_run_end_timestamp_seconds", "When the last scan ended (Unix time).", [("", number(sample.finishedAt.timeIntervalSince1970))])
        gauge("last_run_duration_seconds", "How long the last scan took.", [("", number(sample.finishedAt.timeIntervalSince(sample.startedAt)))])
        if let queries = sample.dnsQueries { gauge("last_run_dns_queries", "DNS queries the last scan sent to a server (cache hits not counted).", [("", "\(queries)")]) }
        if let age = sample.catalogAgeSeconds { gauge("catalog_age_seconds", "Age of the Ex Libris relay catalog the last scan used.", [("", number(age))]) }
        if let report = sample.report {
            gauge("last_run_id", "History id of the last scan's run.", [("", "\(report.run.id)")])
            gauge("institutions", "Institutions by status in the last scan.", ComplianceStatus.allCases.map { ("status=\"\($0.rawValue)\"", "\(report.count($0))") })
            gauge("institution_status", "1 for each institution's status in the last scan, 0 for the others.",
                  report.summaries.sorted { $0.institutionID < $1.institutionID }.flatMap { result in
                      ComplianceStatus.allCases.map { ("institution=\"\(Self.label(result.institutionID))\",status=\"\($0.rawValue)\"", result.status == $0 ? "1" : "0") }
                  })
        }
        return out
    }

    /// A label value (exposition format: `\`, `"` and line feed escaped).
    static func label(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    /// Writes the metrics to `path` through a temporary file in the same folder and a rename. The
    /// temporary file gets an unpredictable name and is created exclusively (`mkstemp(3)`: never
    /// through a link someone placed there), mode 0644 as the collector reads it.
    public func write(to path: String) throws(ReportWriteError) {
        let target = URL(fileURLWithPath: path)
        var template = Array(target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).XXXXXXXX").path.utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw ReportWriteError(path: target.deletingLastPathComponent().path, errno: errno) }
        let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let bytes = Array(render().utf8)
        var written = 0
        var failure: Int32 = 0
        fchmod(descriptor, 0o644)
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                failure = errno
                break
            }
            written += count
        }
        if close(descriptor) != 0, failure == 0 { failure = errno }
        guard failure == 0 else {
            unlink(temporary)
            throw ReportWriteError(path: temporary, errno: failure)
        }
        guard Foundation.rename(temporary, target.path) == 0 else {
            let code = errno
            unlink(temporary)
            throw ReportWriteError(path: path, errno: code)
        }
    }
}
