import Foundation

/// `Reports/index.html`: every run whose reports are in the folder, newest first, each linking to
/// its dashboard. Self-contained like the dashboards (no request, no script).
public enum RunIndexRenderer {
    /// - Parameters:
    ///   - runs: the runs history knows, newest first (``ScanStore/reportedRuns(limit:)``).
    ///   - folders: the run folders present under the reports folder; runs whose folder is gone are
    ///     left out, and folders history no longer knows (pruned runs) are listed by name.
    public static func render(consortium: String?, runs: [RunListing], folders: Set<String>) -> String {
        let h = UntrustedText.html
        let known = runs.filter { folders.contains($0.folderName) }
        let orphans = folders.subtracting(known.map(\.folderName)).sorted(by: >)
        var out = DashboardAssets.pageStart(title: "notice-audit runs\(consortium.map { ": " + h($0) } ?? "")",
                                            policy: "default-src 'none'; style-src '\(DashboardAssets.hash(style))'", style: style)
        out += """
            <main>
            <h1>notice-audit runs\(consortium.map { ": " + h($0) } ?? "")</h1>
            <p><a href="latest/index.html">The latest complete run</a> · newest first.</p>
            <table>
            <thead><tr><th scope="col">Run</th><th scope="col">Started (UTC)</th><th scope="col">Kind</th><th scope="col">Ended</th><th scope="col">noncompliant</th><th scope="col">unknown</th><th scope="col">compliant</th><th scope="col">total</th></tr></thead>
            <tbody>

            """
        for run in known {
            let folder = h(run.folderName)
            out += "<tr><th scope=\"row\"><a href=\"\(folder)/index.html\">run \(run.run)</a></th><td>\(UTCTime.iso8601(run.startedAt))</td>"
            out += "<td>\(run.adhoc ? "ad-hoc rescan" : h(run.trigger))</td><td>\(h(run.status))</td>"
            out += "<td class=\"n\">\(run.noncompliant)</td><td class=\"n\">\(run.unknown)</td><td class=\"n\">\(run.compliant)</td><td class=\"n\">\(run.total)</td></tr>\n"
        }
        for folder in orphans {
            out += "<tr><th scope=\"row\"><a href=\"\(h(folder))/index.html\">\(h(folder))</a></th><td colspan=\"7\">no longer in the history database</td></tr>\n"
        }
        out += "</tbody>\n</table>\n</main>\n</body>\n</html>\n"
        return out
    }

    /// Whether `name` is a run folder's name (``ScanReport/folderName``).
    /// `^\d{4}-\d{2}-\d{2}T\d{6}Z-run\d+$`, matched by hand (an `NSRegularExpression` loads ICU: 1.4 MB
    /// of the scan's memory, issue 22).
    public static func isRunFolder(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        let shape = Array("dddd-dd-ddTddddddZ-run".utf8)
        guard bytes.count > shape.count else { return false }
        for (byte, expected) in zip(bytes, shape) {
            let digit = (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            guard expected == UInt8(ascii: "d") ? digit : byte == expected else { return false }
        }
        return bytes[shape.count...].allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    static let style = """
        body{margin:0;font:15px/1.45 system-ui,"DejaVu Sans",sans-serif;color:#1b1b1b;background:#fff}
        main{max-width:1100px;margin:0 auto;padding:16px}
        a{color:#0b4f9c}
        table{border-collapse:collapse;width:100%}
        th,td{border-bottom:1px solid #c8c8c8;padding:4px 8px;text-align:left}
        thead th{background:#f4f5f7}
        td.n{text-align:right}
        """
}
