import Foundation

/// Writes a run's four files into `REPORTS/<run folder>/` and refreshes `REPORTS/latest/`.
public struct ReportWriter: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// Writes the report; returns the run folder's path.
    @discardableResult
    public func write(_ report: ScanReport, updateLatest: Bool = true) throws -> String {
        let manager = FileManager.default
        let root = URL(fileURLWithPath: directory)
        let folder = root.appendingPathComponent(report.folderName)
        let files: [(String, String)] = [
            ("summary.md", MarkdownReportRenderer.render(report)),
            ("summary.csv", CSVReportRenderer.summary(report)),
            ("findings.csv", CSVReportRenderer.findings(report)),
            ("scan.json", try JSONReportRenderer.render(report)),
        ]
        try write(files, to: folder)
        if updateLatest {
            // Build the new latest/ beside the old one, then swap, so readers never see half of it.
            let staging = root.appendingPathComponent(".latest-\(getpid())")
            try? manager.removeItem(at: staging)
            try write(files, to: staging)
            let latest = root.appendingPathComponent("latest")
            try? manager.removeItem(at: latest)
            try manager.moveItem(at: staging, to: latest)
        }
        return folder.path
    }

    private func write(_ files: [(String, String)], to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, text) in files {
            try Data(text.utf8).write(to: folder.appendingPathComponent(name), options: .atomic)
        }
    }
}
