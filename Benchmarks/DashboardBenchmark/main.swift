// Renders the dashboard (index.html) of one run of a history database, as the scan does, several
// times: size, median and worst wall time of DashboardRenderer alone, and of the whole run
// folder (every report file, letters included) written by ReportWriter.
// Usage: dashboard-benchmark DB REPORTS_DIR [RUNS]
import Foundation
import NoticeAudit

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    FileHandle.standardError.write(Data("usage: dashboard-benchmark DB REPORTS_DIR [RUNS]\n".utf8))
    exit(2)
}
let repetitions = arguments.count > 3 ? Int(arguments[3])! : 9
let database = try HistoryDatabase(path: arguments[1], access: .readOnly)
let store = ScanStore(database: database)
guard let run = try store.latestRun()?.id else {
    FileHandle.standardError.write(Data("no run in \(arguments[1])\n".utf8))
    exit(1)
}

func milliseconds(_ duration: Duration) -> Double { Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15 }
func summary(_ name: String, _ times: [Double]) {
    let sorted = times.sorted()
    print(String(format: "%@: median %.1f ms, worst %.1f ms over %d runs", name, sorted[sorted.count / 2], sorted.last!, sorted.count))
}

var load: [Double] = [], render: [Double] = [], write: [Double] = []
var size = 0, institutions = 0
for _ in 0..<repetitions {
    let clock = ContinuousClock()
    var report: ScanReport?
    load.append(milliseconds(try clock.measure { report = try ScanReport.load(run: run, store: store, catalogs: CatalogStore(database: database)) }))
    guard let report else { exit(1) }
    institutions = report.results.count
    var html = ""
    render.append(milliseconds(clock.measure { html = DashboardRenderer.render(report) }))
    size = html.utf8.count
    write.append(milliseconds(try clock.measure { try ReportWriter(directory: arguments[2]).write(report, updateLatest: false) }))
}
print("run \(run): \(institutions) institutions; index.html \(size) bytes (\(String(format: "%.2f", Double(size) / 1_048_576)) MiB)")
summary("load from history", load)
summary("index.html rendered", render)
summary("run folder written (every file)", write)
