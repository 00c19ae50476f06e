import Foundation

/// A DKIM key record judged (RFC 6376 §3.6.1): its key type and size, flags, and status.
public struct DKIMKeyRecord: Sendable, Equatable {
    /// `rsa` or `ed25519`; nil when there is no usable key.
    public var keyType: String?
    /// The RSA modulus size, 256 for Ed25519; nil when there is no key.
    public var keyBits: Int?
    /// `t=y`: the domain is testing DKIM (RFC 6376 §3.6.1); verifiers may treat failures leniently.
    public var testing: Bool
    public var status: DKIMKeyStatus
    /// What is wrong, in words for campus IT (empty when ok).
    public var problems: [String]

    /// Judges the text of one TXT record at a DKIM key name.
    /// `key` without whitespace (FWS may fold a long `p=`, RFC 6376 §3.6.1): an ASCII key byte by
    /// byte (issue 22: walking a 2048-bit key by Character was 3 % of a scan), any other as before.
    static func withoutWhitespace(_ key: String) -> String {
        guard key.utf8.allSatisfy({ $0 < 0x80 }) else { return key.filter { !$0.isWhitespace } }
        // The ASCII characters that are `Character.isWhitespace`: tab, LF, VT, FF, CR, space.
        return String(decoding: key.utf8.filter { !(0x09...0x0D).contains($0) && $0 != 0x20 }, as: UTF8.self)
    }

    public init(text: String) {
        testing = false
        keyType = nil
        keyBits = nil
        problems = []
        status = .invalid
        let tags: DKIMTagList
        switch DKIMTagList.parse(text) {
        case .success(let parsed): tags = parsed
        case .failure(let error):
            problems = ["the record is not a valid tag-list: \(error)"]
            return
        }
        testing = tags["t"].map { $0.split(separator: ":").map { $0.trimmingFWS() }.contains("y") } ?? false
        // v=, when present, must be first and exactly DKIM1.
        if let version = tags["v"] {
            if tags.tags.first?.name != "v" { problems.append("v= must be the first tag") }
            if version != "DKIM1" { problems.append("v=\(version) is not DKIM1") }
        }
        let keyKind = tags["k"] ?? "rsa"
        if keyKind != "rsa" && keyKind != "ed25519" { problems.append("k=\(keyKind) is not a key type verifiers know (rsa, ed25519)") }
        if let services = tags["s"] {
            let list = services.split(separator: ":").map { $0.trimmingFWS() }
            if !list.contains("*") && !list.contains("email") { problems.append("s=\(services) excludes email, so the key cannot verify mail") }
        }
        guard let key = tags["p"] else {
            problems.append("there is no p= tag (the public key)")
            return
        }
        guard problems.isEmpty else { return }
        let base64 = Self.withoutWhitespace(key)
        if base64.isEmpty {
            status = .revoked
            problems = ["p= is empty: the key was revoked"]
            return
        }
        guard let bytes = Data(base64Encoded: base64) else {
            problems = ["p= is not valid base64"]
            return
        }
        let decoded = keyKind == "ed25519" ? DKIMPublicKeyDecoder.ed25519(Array(bytes)) : DKIMPublicKeyDecoder.rsa(Array(bytes))
        switch decoded {
        case .failure(let failure):
            problems = [failure.description]
        case .success(let key):
            keyType = key.kind.rawValue
            keyBits = key.bits
            switch (key.kind, key.bits) {
            case (.ed25519, _): status = .ok
            case (.rsa, 2048...): status = .ok
            case (.rsa, 1024...): status = .weak
                problems = ["the RSA key has \(key.bits) bits; use 2048 (RFC 8301 §3.2)"]
            default:
                status = .tooWeak
                problems = ["the RSA key has \(key.bits) bits; verifiers must not accept keys under 1024 bits (RFC 8301 §3.2)"]
            }
        }
    }
}
