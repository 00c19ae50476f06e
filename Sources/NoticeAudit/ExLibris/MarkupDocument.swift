import CLibXML2
import Foundation

/// Why an XML document could not be read.
struct MarkupError: Error, Sendable, CustomStringConvertible {
    var description: String
}

/// A document parsed by libxml2: an HTML page by its HTML parser (error-tolerant, entities
/// decoded, no network), with the few queries the catalog parser needs, or an XML document (a
/// DMARC report: no network, no DTD loading, no entity expansion). The only code that imports
/// CLibXML2.
final class MarkupDocument {
    /// An element of the document, valid while the document lives.
    struct Element {
        fileprivate let node: xmlNodePtr

        var name: String { node.pointee.name.map { String(cString: $0).lowercased() } ?? "" }

        /// The element's name without its namespace prefix, as written.
        var localName: String { node.pointee.name.map { String(cString: $0) } ?? "" }

        /// The namespace URI of the element, if any.
        var namespace: String? { node.pointee.ns?.pointee.href.map { String(cString: $0) } }

        /// The child elements, in document order.
        var children: [Element] {
            var found: [Element] = []
            var child = node.pointee.children
            while let current = child {
                if current.pointee.type == XML_ELEMENT_NODE { found.append(Element(node: current)) }
                child = current.pointee.next
            }
            return found
        }

        /// The first child element named `localName`.
        func child(_ localName: String) -> Element? {
            var child = node.pointee.children
            while let current = child {
                if current.pointee.type == XML_ELEMENT_NODE, let name = current.pointee.name, String(cString: name) == localName { return Element(node: current) }
                child = current.pointee.next
            }
            return nil
        }

        /// The element's text, trimmed of surrounding white space.
        var trimmedText: String {
            rawText(of: node).trimmingCharacters(in: .whitespacesAndNewlines)
        }

        func attribute(_ name: String) -> String? {
            guard let value = xmlGetProp(node, name) else { return nil }
            defer { clibxml2_free(value) }
            return String(cString: value)
        }

        /// The element's text with every run of white space (non-breaking spaces included) folded.
        var text: String { MarkupDocument.fold(rawText(of: node)) }

        /// The element's text split into lines at `<br>`, `<p>`, `<li>`, `<div>` and line breaks.
        var lines: [String] {
            var lines: [String] = [""]
            func walk(_ node: xmlNodePtr) {
                var child = node.pointee.children
                while let current = child {
                    switch current.pointee.type {
                    case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                        let content = current.pointee.content.map { String(cString: $0) } ?? ""
                        let parts = content.split(separator: "\n", omittingEmptySubsequences: false)
                        for (index, part) in parts.enumerated() {
                            if index > 0 { lines.append("") }
                            lines[lines.count - 1] += part
                        }
                    case XML_ELEMENT_NODE:
                        let name = current.pointee.name.map { String(cString: $0).lowercased() } ?? ""
                        let breaks = ["br", "p", "li", "div", "tr"].contains(name)
                        if breaks { lines.append("") }
                        walk(current)
                        if breaks { lines.append("") }
                    default:
                        break
                    }
                    child = current.pointee.next
                }
            }
            walk(node)
            return lines.map(MarkupDocument.fold).filter { !$0.isEmpty }
        }
    }

    private let document: htmlDocPtr

    /// Parses `bytes` as XML, never touching the network, loading no DTD and expanding no entity
    /// (XXE and entity bombs are inert: RFC 7489 reports need neither).
    init(xml bytes: [UInt8]) throws(MarkupError) {
        guard let context = xmlNewParserCtxt() else { throw MarkupError(description: "libxml2 could not start") }
        defer { xmlFreeParserCtxt(context) }
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue | XML_PARSE_NOCDATA.rawValue)
        let parsed = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: max(1, buffer.count)) { xmlCtxtReadMemory(context, $0, Int32(buffer.count), nil, nil, options) }
        }
        guard let parsed else {
            let error = xmlCtxtGetLastError(context)
            let message = error?.pointee.message.map { String(cString: $0).trimmingCharacters(in: .whitespacesAndNewlines) } ?? "not well-formed"
            let line = error.map { Int($0.pointee.line) } ?? 0
            throw MarkupError(description: "not well-formed XML\(line > 0 ? " at line \(line)" : ""): \(message)")
        }
        document = parsed
    }

    /// The root element; nil for an empty document.
    var root: Element? { xmlDocGetRootElement(document).map(Element.init(node:)) }

    /// Parses `bytes` as HTML silently, recovering from errors, never touching the network.
    init?(html bytes: [UInt8]) {
        let options = Int32(HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue | HTML_PARSE_NONET.rawValue)
        let parsed = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { htmlReadMemory($0, Int32(buffer.count), nil, "UTF-8", options) }
        }
        guard let parsed else { return nil }
        document = parsed
    }

    deinit {
        xmlFreeDoc(document)
    }

    /// The elements an XPath 1.0 expression selects, in document order.
    func select(_ expression: String, from context: Element? = nil) -> [Element] {
        guard let xpath = xmlXPathNewContext(document) else { return [] }
        defer { xmlXPathFreeContext(xpath) }
        if let context { xpath.pointee.node = context.node }
        guard let result = xmlXPathEvalExpression(expression, xpath) else { return [] }
        defer { xmlXPathFreeObject(result) }
        guard let nodes = result.pointee.nodesetval, nodes.pointee.nodeNr > 0 else { return [] }
        return (0..<Int(nodes.pointee.nodeNr)).compactMap { index in
            guard let node = nodes.pointee.nodeTab[index], node.pointee.type == XML_ELEMENT_NODE else { return nil }
            return Element(node: node)
        }
    }

    /// The whole document's text.
    var text: String {
        guard let root = xmlDocGetRootElement(document) else { return "" }
        return Self.fold(rawText(of: root))
    }

    static func fold(_ text: String) -> String {
        text.replacingOccurrences(of: "\u{00A0}", with: " ")
            .split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}

private func rawText(of node: xmlNodePtr) -> String {
    guard let content = xmlNodeGetContent(node) else { return "" }
    defer { clibxml2_free(content) }
    return String(cString: content)
}
