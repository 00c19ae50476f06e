import Foundation

/// The trend of the last runs as an SVG line chart (compliant institutions per run): written as
/// `trend.svg` beside summary.md (which links it as an image, as every Markdown viewer shows) and
/// inlined in index.html. Its `<title>` and `<desc>` say in words what the line shows.
public struct TrendChart: Sendable {
    public typealias Entry = (run: Int64, startedAt: Date, compliant: Int, total: Int)

    public let entries: [Entry]
    public var width = 640.0
    public var height = 170.0

    public init(_ entries: [Entry]) {
        self.entries = entries
    }

    /// The chart as an SVG document (`standalone`: with the XML declaration, for trend.svg).
    public func svg(standalone: Bool = false) -> String {
        let margin = (left: 40.0, right: 16.0, top: 16.0, bottom: 34.0)
        let maximum = Double(max(1, entries.map(\.total).max() ?? 1))
        let plotWidth = width - margin.left - margin.right, plotHeight = height - margin.top - margin.bottom
        let step = entries.count > 1 ? plotWidth / Double(entries.count - 1) : 0
        func x(_ index: Int) -> Double { margin.left + (entries.count > 1 ? Double(index) * step : plotWidth / 2) }
        func y(_ value: Int) -> Double { margin.top + plotHeight - Double(value) / maximum * plotHeight }
        func f(_ value: Double) -> String { FixedPoint.text(value, decimals: 1) }
        let points = entries.indices.map { "\(f(x($0))),\(f(y(entries[$0].compliant)))" }
        let summary = entries.map { "run \($0.run): \($0.compliant) of \($0.total)" }.joined(separator: "; ")
        var out: [String] = []
        if standalone { out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>") }
        out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-labelledby=\"trend-title trend-desc\">")
        out.append("<title id=\"trend-title\">Compliant institutions, last \(entries.count) runs</title>")
        out.append("<desc id=\"trend-desc\">\(summary)</desc>")
        out.append("<rect x=\"0\" y=\"0\" width=\"\(Int(width))\" height=\"\(Int(height))\" fill=\"#ffffff\"/>")
        for fraction in [0.0, 0.5, 1.0] {
            let value = Int((maximum * fraction).rounded())
            let lineY = f(y(value))
            out.append("<line x1=\"\(margin.left)\" y1=\"\(lineY)\" x2=\"\(width - margin.right)\" y2=\"\(lineY)\" stroke=\"#d0d0d0\"/>")
            out.append("<text x=\"\(margin.left - 6)\" y=\"\(lineY)\" dy=\"4\" text-anchor=\"end\" font-family=\"sans-serif\" font-size=\"11\" fill=\"#333333\">\(value)</text>")
        }
        if entries.count > 1 {
            out.append("<polyline fill=\"none\" stroke=\"#1a6b3c\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"/>")
        }
        for (index, entry) in entries.enumerated() {
            out.append("<circle cx=\"\(f(x(index)))\" cy=\"\(f(y(entry.compliant)))\" r=\"3\" fill=\"#1a6b3c\"><title>run \(entry.run): \(entry.compliant) of \(entry.total) compliant</title></circle>")
        }
        if let first = entries.first, let last = entries.last {
            let baseline = height - 10
            out.append("<text x=\"\(margin.left)\" y=\"\(baseline)\" font-family=\"sans-serif\" font-size=\"11\" fill=\"#333333\">run \(first.run) (\(Self.day(first.startedAt))): \(first.compliant)/\(first.total)</text>")
            if entries.count > 1 {
                out.append("<text x=\"\(width - margin.right)\" y=\"\(baseline)\" text-anchor=\"end\" font-family=\"sans-serif\" font-size=\"11\" fill=\"#333333\">run \(last.run) (\(Self.day(last.startedAt))): \(last.compliant)/\(last.total)</text>")
            }
        }
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }

    static func day(_ date: Date) -> String { UTCTime.day(date) }
}
