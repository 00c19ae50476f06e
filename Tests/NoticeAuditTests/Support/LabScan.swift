import Foundation

/// The lab scan every end-to-end test runs: the same arguments built in one place (the lab's
/// Ex Libris page, name server, CA file and a timeout for one network step), so that no test points
/// a scan at the machine's resolver or the internet by leaving one out.
struct LabScan {
    /// Which of the lab's name servers the scan asks.
    enum NameServer {
        /// nsd itself (`LAB_DNS`).
        case direct
        /// The fault-injecting proxy in front of nsd (`LAB_FAULT_DNS`: delays, black holes, SERVFAIL).
        case fault
    }

    let lab: LabEnvironment

    /// A page of the lab's HTTPS server by its path (`exlibris/v1.html`).
    func url(_ path: String) -> String {
        "https://\(lab["LAB_HTTPS_HOSTNAME"]):\(lab["LAB_HTTPS_PORT"])/\(path)"
    }

    /// `scan` with its history and reports in `directory` (`history.sqlite`, `Reports/`, unless
    /// named), the lab's catalog page, name server and CA; `timeout` in seconds when the test needs one.
    func arguments(inventory: String, in directory: URL, database: String? = nil, reports: String? = nil, nameServer: NameServer = .fault,
                   page: String = "exlibris/v1.html", catalogURL: String? = nil, timeout: String? = nil) -> [String] {
        let server = switch nameServer {
        case .direct: lab["LAB_DNS"]
        case .fault: lab["LAB_FAULT_DNS"]
        }
        return ["scan", "--inventory", inventory,
                "--db", database ?? directory.appendingPathComponent("history.sqlite").path,
                "--reports", reports ?? directory.appendingPathComponent("Reports").path,
                "--catalog-url", catalogURL ?? url(page),
                "--dns-server", server, "--ca-file", lab["LAB_CA_FILE"]]
            + (timeout.map { ["--timeout", $0] } ?? [])
    }
}

extension LabEnvironment {
    /// The running lab's scan arguments (`LabScan`).
    var scan: LabScan { LabScan(lab: self) }
}
