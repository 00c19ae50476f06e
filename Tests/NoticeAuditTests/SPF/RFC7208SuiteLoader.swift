import Foundation
import Testing
import Yams
@testable import NoticeAudit

/// One test of the RFC 7208 suite (`Tests/Fixtures/rfc7208/rfc7208-tests.yml`, openspf.org release 2014.04).
struct RFC7208SuiteCase: CustomTestStringConvertible, Sendable {
    var section: String
    /// The section's place in the file: the lab serves section N's zone data on its own server.
    var sectionIndex: Int
    var name: String
    var spec: String
    var helo: String
    var host: String
    var mailfrom: String
    /// Every result the suite accepts.
    var results: [SPFResult]
    /// The expected explanation; "DEFAULT" means the default explanation.
    var explanation: String?
    var zone: InMemoryZone

    var testDescription: String { "\(name) (§\(spec))" }

    /// The options every suite test runs with: "DEFAULT" is the suite's default explanation.
    static var options: SPFCheckOptions {
        var options = SPFCheckOptions()
        options.defaultExplanation = "DEFAULT"
        return options
    }

    /// The suite's YAML, as copied unchanged from shared/spf.
    static let suiteURL = Fixtures.folder.appendingPathComponent("rfc7208/rfc7208-tests.yml")

    /// Loads all 203 tests. SPF-type records become TXT records for names that have no TXT record of
    /// their own, as the suite's header asks of drivers.
    static func load() throws -> [RFC7208SuiteCase] {
        let text = try String(contentsOf: suiteURL, encoding: .utf8)
        var cases: [RFC7208SuiteCase] = []
        for (sectionIndex, document) in try Yams.load_all(yaml: text).enumerated() {
            guard let section = document as? [String: Any], let tests = section["tests"] as? [String: Any] else { continue }
            let zonedata = section["zonedata"] as? [String: [Any]] ?? [:]
            let zone = makeZone(zonedata)
            for (name, value) in tests {
                guard let test = value as? [String: Any] else { continue }
                let results: [SPFResult]
                if let list = test["result"] as? [String] {
                    results = list.compactMap(SPFResult.init(rawValue:))
                } else {
                    results = [SPFResult(rawValue: test["result"] as? String ?? "")].compactMap { $0 }
                }
                cases.append(RFC7208SuiteCase(
                    section: section["description"] as? String ?? "", sectionIndex: sectionIndex, name: name, spec: "\(test["spec"] ?? "")",
                    helo: "\(test["helo"] ?? "")", host: "\(test["host"] ?? "")", mailfrom: test["mailfrom"] as? String ?? "",
                    results: results, explanation: test["explanation"] as? String, zone: zone))
            }
        }
        return cases.sorted { ($0.section, $0.name) < ($1.section, $1.name) }
    }

    static func makeZone(_ zonedata: [String: [Any]]) -> InMemoryZone {
        var zone = InMemoryZone()
        for (name, entries) in zonedata {
            let hasTXT = entries.contains { ($0 as? [String: Any])?["TXT"] != nil }
            // As the suite's reference driver does: TIMEOUT fails every type not listed before it.
            var typesBeforeTimeout: Set<DNSRecordType> = []
            for entry in entries {
                if entry as? String == "TIMEOUT" {
                    zone.fail(name, with: .timeout, exceptTypes: typesBeforeTimeout)
                    break
                }
                guard let record = entry as? [String: Any] else { continue }
                for (type, value) in record {
                    // "NONE" only suppresses the TXT copies of SPF records; it answers nothing.
                    if value as? String == "NONE" { continue }
                    if let recordType = DNSRecordType(rawValue: type) { typesBeforeTimeout.insert(recordType) }
                    switch type {
                    case "SPF" where !hasTXT, "TXT":
                        zone.add(.txt(strings(value)), at: name)
                    case "A":
                        if let address = IPAddress("\(value)") { zone.add(.a(address), at: name) }
                    case "AAAA":
                        if let address = IPAddress("\(value)") { zone.add(.aaaa(address), at: name) }
                    case "MX":
                        if let pair = value as? [Any], pair.count == 2 {
                            zone.add(.mx(preference: UInt16("\(pair[0])") ?? 0, exchange: "\(pair[1])"), at: name)
                        }
                    case "PTR":
                        zone.add(.ptr("\(value)"), at: name)
                    case "CNAME":
                        zone.add(.cname("\(value)"), at: name)
                    default:
                        break
                    }
                }
            }
        }
        return zone
    }

    /// A TXT value: one string or a list of strings, each kept as its UTF-8 bytes.
    static func strings(_ value: Any) -> [[UInt8]] {
        if let list = value as? [Any] { return list.map { Array("\($0)".utf8) } }
        return [Array("\(value)".utf8)]
    }

    /// The identity to check, as the suite's drivers do: an empty MAIL FROM checks the HELO identity.
    var identity: (domain: String, sender: String) {
        let sender = mailfrom.isEmpty ? "postmaster@\(helo)" : mailfrom
        let domain = sender.lastIndex(of: "@").map { String(sender[sender.index(after: $0)...]) } ?? sender
        return (domain, sender)
    }
}
