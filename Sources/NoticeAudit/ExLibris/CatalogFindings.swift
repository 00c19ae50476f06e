/// The run-level findings about the Ex Libris catalog, in words for the coordinator: the page
/// stale or replaced by the built-in default, the catalog changed since the previous scan, a
/// region's relay set empty, incomplete, or disagreeing between the page and the include.
/// None of them is the campuses' to fix.
enum CatalogFindings {
    /// Run-level findings about the Ex Libris page: stale, replaced by the built-in default, changed.
    static func fetch(_ fetched: CatalogFetcher.Result, previous: CatalogSnapshot?) -> [Finding] {
        var findings: [Finding] = []
        let source = fetched.status.catalog.source
        if case .failed(let message, _) = fetched.outcome {
            findings.append(fetched.status.snapshot == nil
                ? Finding(code: .catalogDefaultUsed, severity: .warning, target: source,
                          message: "The Ex Libris page could not be fetched (\(message)) and no earlier snapshot exists, so the built-in default catalog was used.",
                          remediation: "Check that the scanner reaches the Knowledge Center (proxy settings, firewall); run notice-audit ranges fetch to test.", campusCanFix: false)
                : Finding(code: .catalogStale, severity: .warning, target: source,
                          message: "The Ex Libris page could not be fetched (\(message)); the last good snapshot was used and may be stale.",
                          remediation: "Check that the scanner reaches the Knowledge Center (proxy settings, firewall); run notice-audit ranges fetch to test.", campusCanFix: false))
        }
        if let previous, let current = fetched.status.snapshot, case let diff = CatalogDiff(from: previous.catalog, to: current.catalog), !diff.isEmpty {
            findings.append(Finding(code: .catalogChanged, severity: .info, target: source,
                message: "The Ex Libris relay catalog changed since the previous scan (snapshot \(previous.id) to \(current.id)): \(diff.lines.joined(separator: "; ")).",
                remediation: "Institutions that list the relay addresses one by one must update their SPF records; those using the region's include need nothing.", campusCanFix: false))
        }
        return findings
    }

    /// Run-level findings about one region's relay set: incomplete, empty, page and include disagreeing.
    static func relaySet(_ set: RegionRelaySet) -> [Finding] {
        let region = set.region
        switch set.knowledge {
        case .empty:
            return [Finding(code: .catalogNoAddress, severity: .error, target: region.code,
                message: "No relay address of \(region.displayName) is known (\(set.problems.joined(separator: "; "))); every SPF verdict of the region is unknown.",
                remediation: "Check that the scanner reaches the Ex Libris page and resolves the region's SPF include; run notice-audit ranges fetch to test.", campusCanFix: false)]
        case .incomplete:
            return [Finding(code: .catalogIncomplete, severity: .warning, target: region.code,
                message: "The relay set of \(region.displayName) is incomplete: \(set.include ?? "the include") could not be fully expanded (\(set.temporaryProblems.joined(separator: "; "))). A definite failure on a known address still counts; a pass on every known address is reported unknown.",
                remediation: "Usually a passing DNS problem; the next run checks again. If it persists, run the scan with --log-level debug to see which query fails.", campusCanFix: false)]
        case .complete:
            guard let check = set.crossCheck, !check.pageOnly.isEmpty || !check.includeOnly.isEmpty else { return [] }
            return [Finding(code: .catalogDisagreement, severity: .warning, target: region.code,
                message: "The Ex Libris page and \(check.include) disagree for \(region.displayName): on the page only \(check.pageOnly.map(\.description).joined(separator: ", ").ifEmpty("nothing")); in DNS only \(check.includeOnly.map(\.description).joined(separator: ", ").ifEmpty("nothing")). Both are checked.",
                remediation: "Nothing to change at the campuses; report the difference to Ex Libris support.", campusCanFix: false)]
        }
    }
}

extension String {
    /// The string, or `replacement` when it is empty.
    func ifEmpty(_ replacement: String) -> String { isEmpty ? replacement : self }
}
