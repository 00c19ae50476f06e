import CLibPSL
import Foundation

/// The Public Suffix List (https://publicsuffix.org/list/) through libpsl, the library curl
/// itself uses: the suffixes under which anyone can register a name (`edu`, `ac.uk`, `*.ck` but
/// not `www.ck`). DMARC finds a domain's organizational domain with it (RFC 7489 §3.2), for
/// internationalized names too (UTF-8 or punycode).
///
/// `@unchecked Sendable`: a libpsl context is read-only once loaded, and libpsl documents its
/// lookups as thread-safe; the context lives as long as the list.
public final class PublicSuffixList: @unchecked Sendable {
    /// Where Debian's `publicsuffix` package installs the list.
    public static let systemPath = "/usr/share/publicsuffix/public_suffix_list.dat"

    /// The newest list libpsl finds (Debian's `publicsuffix` package, or libpsl's own built-in
    /// copy), else ``fallback``: loaded once per process.
    public static let standard: PublicSuffixList = {
        if let context = psl_latest(nil) { return PublicSuffixList(context: context, complete: true) }
        if let builtin = psl_builtin() { return PublicSuffixList(context: builtin, complete: true, owned: false) }
        return fallback
    }()

    /// The few suffixes consortium members use most, for a machine without any list: every TLD
    /// through the default rule, plus the two-label academic suffixes.
    public static let fallback = PublicSuffixList(text: "ac.uk\nco.uk\nedu.au\nac.nz\nedu.cn\nac.jp\nedu.sg\nedu.hk\nk12.fl.us\n", complete: false)

    /// Whether the rules came from a real list rather than ``fallback``.
    public let isComplete: Bool
    private let context: OpaquePointer?
    private let owned: Bool

    private init(context: OpaquePointer?, complete: Bool, owned: Bool = true) {
        self.context = context
        self.isComplete = complete && context != nil
        self.owned = owned
    }

    /// Reads a list file (the published text format, or libpsl's DAFSA).
    public convenience init(contentsOfFile path: String) throws {
        guard let context = psl_load_file(path) else { throw PublicSuffixListError(path: path) }
        self.init(context: context, complete: true)
    }

    /// Parses rules in the list's format (one rule a line, `//` comments). libpsl reads lists from
    /// files only, so the text goes through a file in a private temporary folder, removed at once.
    public convenience init(text: String, complete: Bool = true) {
        var template = Array((NSTemporaryDirectory() + "/notice-audit-psl-XXXXXX").utf8CString)
        var context: OpaquePointer?
        if let folder = mkdtemp(&template).map({ String(cString: $0) }) {
            let file = folder + "/list.dat"
            if FileManager.default.createFile(atPath: file, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) {
                context = psl_load_file(file)
            }
            try? FileManager.default.removeItem(atPath: folder)
        }
        self.init(context: context, complete: complete)
    }

    deinit {
        if owned, let context { psl_free(context) }
    }

    /// The organizational domain (RFC 7489 §3.2): the registrable domain (the public suffix and
    /// one more label); a name that is itself a public suffix is its own.
    public func organizationalDomain(of domain: String) -> String {
        let name = DomainName.normalized(domain)
        guard let context, !name.isEmpty else { return name }
        var lower: UnsafeMutablePointer<CChar>?
        guard psl_str_to_utf8lower(name, "utf-8", nil, &lower) == PSL_SUCCESS, let lower else { return name }
        defer { psl_free_string(lower) }
        guard let registrable = psl_registrable_domain(context, lower) else { return String(cString: lower) }
        return String(cString: registrable)
    }

    /// The public suffix of `domain` under this list's rules.
    public func publicSuffix(of domain: String) -> String {
        let name = DomainName.normalized(domain)
        guard let context, !name.isEmpty else { return name }
        guard let suffix = psl_unregistrable_domain(context, name) else { return name }
        return String(cString: suffix)
    }
}

/// A Public Suffix List file could not be read.
public struct PublicSuffixListError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var description: String { "the Public Suffix List \(path) cannot be read" }
}
