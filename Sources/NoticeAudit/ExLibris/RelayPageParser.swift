/// Why the Ex Libris page could not give a catalog. Never an empty catalog instead.
public struct RelayPageError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
}

/// Reads the "Mail Relay Gateways" section of the Knowledge Center article "Technical
/// Requirements for Alma and Discovery Implementation" (MindTouch).
///
/// The table's exact columns are not known, so the parser is tolerant: the section is found by its
/// anchor id or heading text; columns are matched by header keywords in any order; a cell may hold
/// several values (line breaks, commas); rowspans carry values down; a list may stand instead of a
/// table. It fails loudly, naming what was missing.
public enum RelayPageParser {
    public static let anchor = "Mail_Relay_Gateways"
    public static let heading = "mail relay gateways"

    private enum Column { case region, hosts, addresses, include, other }

    /// Parses the page's HTML bytes.
    public static func parse(_ bytes: [UInt8], source: String) throws(RelayPageError) -> RelayCatalog {
        guard let document = MarkupDocument(html: bytes) else {
            throw RelayPageError(description: "the page from \(source) is not HTML that libxml2 can read")
        }
        let lastEdited = Self.lastEdited(in: document.text)
        guard let content = section(in: document) else {
            throw RelayPageError(description: "the page from \(source) has no \"Mail Relay Gateways\" section (looked for the anchor id \(anchor) and a heading with that text); Ex Libris may have moved it")
        }
        var regions: [AlmaRegion: RelayCatalog.Region] = [:]
        if let table = content.first(where: { $0.name == "table" }) ?? content.lazy.flatMap({ document.select(".//table", from: $0) }).first {
            try readTable(table, document: document, into: &regions)
        } else if let list = content.first(where: { ["ul", "ol"].contains($0.name) }) ?? content.lazy.flatMap({ document.select(".//ul | .//ol", from: $0) }).first {
            readList(list, document: document, into: &regions)
        } else {
            throw RelayPageError(description: "the \"Mail Relay Gateways\" section of \(source) has neither a table nor a list")
        }
        let addressCount = regions.values.reduce(0) { $0 + $1.addresses.count }
        guard addressCount > 0 else {
            throw RelayPageError(description: "the \"Mail Relay Gateways\" section of \(source) lists no IP address (regions found: \(regions.keys.sorted().map(\.code).joined(separator: ", ")))")
        }
        return RelayCatalog(regions: regions, lastEdited: lastEdited, source: source)
    }

    /// The elements between the section's heading and the next heading of the same or higher level.
    private static func section(in document: MarkupDocument) -> [MarkupDocument.Element]? {
        let headings = "self::h1 or self::h2 or self::h3 or self::h4 or self::h5 or self::h6"
        var heading = document.select("//*[\(headings)][@id='\(anchor)' or .//*[@id='\(anchor)'] or .//a[@name='\(anchor)']]").first
        if heading == nil, let marker = document.select("//*[@id='\(anchor)'] | //a[@name='\(anchor)']").first {
            // MindTouch puts the anchor in an empty span right before the heading.
            heading = document.select("following::*[\(headings)][1]", from: marker).first
        }
        if heading == nil {
            heading = document.select("//*[\(headings)]").first { MarkupDocument.fold($0.text).lowercased().contains(Self.heading) }
        }
        guard let heading, let level = Int(heading.name.dropFirst()) else { return nil }
        var content: [MarkupDocument.Element] = []
        for element in document.select("following::*", from: heading) {
            if element.name.count == 2, element.name.hasPrefix("h"), let other = Int(element.name.dropFirst()), other <= level { break }
            content.append(element)
        }
        return content
    }

    // MARK: Table

    private static func readTable(_ table: MarkupDocument.Element, document: MarkupDocument, into regions: inout [AlmaRegion: RelayCatalog.Region]) throws(RelayPageError) {
        let rows = document.select(".//tr", from: table)
        guard let headerRow = rows.first else { throw RelayPageError(description: "the relay table has no rows") }
        let columns = document.select("./th | ./td", from: headerRow).map { column(for: $0.text) }
        guard columns.contains(.region) else {
            throw RelayPageError(description: "the relay table has no region or data center column (headers: \(document.select("./th | ./td", from: headerRow).map(\.text).joined(separator: " | ")))")
        }
        // Values a rowspan carries into the rows below: column → (rows left, lines).
        var carried: [Int: (rows: Int, lines: [String])] = [:]
        for row in rows.dropFirst() {
            var cells: [Int: [String]] = [:]
            var column = 0
            var sourceCells = document.select("./th | ./td", from: row)[...]
            while column < columns.count {
                if let carry = carried[column], carry.rows > 0 {
                    cells[column] = carry.lines
                    carried[column] = carry.rows > 1 ? (carry.rows - 1, carry.lines) : nil
                    column += 1
                    continue
                }
                guard let cell = sourceCells.popFirst() else { break }
                let span = max(1, Int(cell.attribute("colspan") ?? "") ?? 1)
                let rowspan = max(1, Int(cell.attribute("rowspan") ?? "") ?? 1)
                for offset in 0..<span where column + offset < columns.count {
                    cells[column + offset] = cell.lines
                    if rowspan > 1 { carried[column + offset] = (rowspan - 1, cell.lines) }
                }
                column += span
            }
            var regionText = "", hosts: [String] = [], addresses: [IPNetwork] = [], include: String?
            for (index, lines) in cells {
                switch columns[index] {
                case .region: regionText = lines.joined(separator: " ")
                case .hosts: hosts += lines.flatMap(tokens).filter(isHostName)
                case .addresses: addresses += lines.flatMap(tokens).compactMap { IPNetwork(cidr: $0) }
                case .include: include = include ?? lines.flatMap(tokens).first(where: isHostName)
                case .other: break
                }
            }
            guard let region = region(in: regionText) else { continue }
            add(region: region, hosts: hosts, addresses: addresses, include: include, to: &regions)
        }
    }

    private static func column(for header: String) -> Column {
        let text = header.lowercased()
        if text.contains("spf") || text.contains("include") { return .include }
        if text.contains("ip") || text.contains("address") { return .addresses }
        if text.contains("region") || text.contains("data center") || text.contains("datacenter") || text.contains("location") { return .region }
        if text.contains("host") || text.contains("relay") || text.contains("server") || text.contains("name") { return .hosts }
        return .other
    }

    // MARK: List

    private static func readList(_ list: MarkupDocument.Element, document: MarkupDocument, into regions: inout [AlmaRegion: RelayCatalog.Region]) {
        for item in document.select("./li", from: list) {
            let text = item.text
            guard let region = region(in: text) else { continue }
            let words = tokens(text)
            let addresses = words.compactMap { IPNetwork(cidr: $0) }
            let names = words.filter(isHostName)
            let include = names.first { $0.hasPrefix("spf") || $0.contains("._spf.") }
            add(region: region, hosts: names.filter { $0 != include }, addresses: addresses, include: include, to: &regions)
        }
    }

    // MARK: Values

    private static func add(region: AlmaRegion, hosts: [String], addresses: [IPNetwork], include: String?, to regions: inout [AlmaRegion: RelayCatalog.Region]) {
        var entry = regions[region] ?? RelayCatalog.Region(spfInclude: nil, relays: [])
        if entry.spfInclude == nil { entry.spfInclude = include }
        if hosts.count == 1 || (hosts.isEmpty && !addresses.isEmpty) {
            entry.relays.append(.init(host: hosts.first, addresses: addresses))
        } else {
            // Several hosts sharing the row's addresses: the page does not say which is which.
            for host in hosts { entry.relays.append(.init(host: host, addresses: [])) }
            if !addresses.isEmpty { entry.relays.append(.init(host: nil, addresses: addresses)) }
        }
        regions[region] = entry
    }

    /// Words of a cell: split at white space, commas and semicolons; `include:` prefixes and SPF
    /// noise (`v=spf1`, `~all`) dropped; trailing punctuation trimmed.
    static func tokens(_ text: String) -> [String] {
        text.split(whereSeparator: { $0.isWhitespace || $0 == "," || $0 == ";" || $0 == "\u{2013}" || $0 == "\u{2014}" })
            .map { word -> String in
                var word = String(word).trimmingCharacters(in: .init(charactersIn: "()[]<>\"'.:"))
                if word.lowercased().hasPrefix("include:") { word = String(word.dropFirst(8)) }
                return word
            }
            .filter { !$0.isEmpty && !["v=spf1", "all", "-all", "~all", "?all", "+all"].contains($0.lowercased()) }
    }

    static func isHostName(_ word: String) -> Bool {
        IPNetwork(cidr: word) == nil && word.contains(".") && DomainName(word) != nil
    }

    /// The region a cell's text names: full names first, then codes as whole words.
    static func region(in text: String) -> AlmaRegion? {
        let lower = text.lowercased()
        let names: [(String, AlmaRegion)] = [
            ("north america", .northAmerica), ("united states", .northAmerica), ("europe", .europe), ("asia pacific", .asiaPacific),
            ("asia-pacific", .asiaPacific), ("apac", .asiaPacific), ("australia", .asiaPacific), ("canada", .canada), ("china", .china),
        ]
        if let match = names.first(where: { lower.contains($0.0) }) { return match.1 }
        let words = Set(text.split(whereSeparator: { !$0.isLetter }).map(String.init))
        let codes: [(String, AlmaRegion)] = [("NA", .northAmerica), ("US", .northAmerica), ("EU", .europe), ("AP", .asiaPacific), ("CA", .canada), ("CN", .china)]
        return codes.first { words.contains($0.0) }?.1
    }

    /// "Article last edited: 12-Mar-2025" → "12-Mar-2025".
    static func lastEdited(in text: String) -> String? {
        guard let range = text.range(of: "Article last edited:") else { return nil }
        let rest = text[range.upperBound...].drop(while: { $0 == " " })
        let date = rest.prefix { $0.isLetter || $0.isNumber || $0 == "-" }
        return date.isEmpty ? nil : String(date)
    }
}
