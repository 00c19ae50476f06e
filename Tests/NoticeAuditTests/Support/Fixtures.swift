import Foundation
import Testing

/// Data written by others that the tests read. The DMARC report samples and the RFC 7208 suite are
/// copied into the repository (`Tests/Fixtures/`, each origin with its licence); the providers' own
/// texts are not (they are Google's, Yahoo's, Microsoft's and Apple's words) and are read where they
/// are, by the tests that are skipped, saying why, when they are absent.
enum Fixtures {
    /// `Tests/Fixtures/` of this checkout.
    static let folder = CommandRunner.packageRoot.appendingPathComponent("Tests/Fixtures")

    /// The DMARC aggregate report samples, one folder per origin (`Tests/Fixtures/rua-samples/README.md`).
    static let reportSamples = folder.appendingPathComponent("rua-samples")

    /// One report sample by its origin's folder and file name (`parsedmarc`, `stalwart-mail-auth`, `keltia-dmarc-cat`).
    static func reportSample(_ origin: String, _ name: String) -> URL {
        reportSamples.appendingPathComponent(origin).appendingPathComponent(name)
    }

    /// Where the providers' texts are looked for: the folder `NOTICE_AUDIT_POLICY_TEXTS` names, else
    /// `../shared/realworld/policy-texts` beside the checkout (CI's layout).
    static let policyTextsFolder: URL = {
        if let named = ProcessInfo.processInfo.environment["NOTICE_AUDIT_POLICY_TEXTS"], !named.isEmpty {
            return URL(fileURLWithPath: named)
        }
        return CommandRunner.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/realworld/policy-texts")
    }()

    /// Whether the providers' texts are there (a folder holding at least one file).
    static let hasPolicyTexts: Bool = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: policyTextsFolder.path)) ?? []
        return names.contains { !$0.hasPrefix(".") }
    }()

    /// Why a test of the providers' texts is skipped, in the words the test run prints.
    static var policyTextsAbsent: Comment {
        Comment(rawValue: "the providers' texts are not at \(policyTextsFolder.path) (they stay outside the repository; NOTICE_AUDIT_POLICY_TEXTS names another folder)")
    }
}
