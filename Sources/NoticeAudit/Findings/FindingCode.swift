/// The stable code of a finding: what findings.csv, scan.json, history and filters use.
///
/// Every code this tool has ever written is a case, so history written by any version decodes.
public enum FindingCode: String, Sendable, Codable, CaseIterable, Comparable {
    // SPF of a sender domain (RFC 7208).
    case spfNotAuthorized = "SPF_NOT_AUTHORIZED"
    case spfNoRecord = "SPF_NO_RECORD"
    case spfPermerror = "SPF_PERMERROR"
    case spfTemperror = "SPF_TEMPERROR"
    case spfLookupLimit = "SPF_LOOKUP_LIMIT"
    case spfCoverageSampled = "SPF_COVERAGE_SAMPLED"
    case spfRelaysUnknown = "SPF_RELAYS_UNKNOWN"
    case spfPtrUsed = "SPF_PTR_USED"
    case spfPassAll = "SPF_PASS_ALL"
    case spfRecordTooLong = "SPF_RECORD_TOO_LONG"
    case spfAnswerTooLong = "SPF_TXT_ANSWER_TOO_LONG"
    /// The record includes the region's entry, yet a published relay address is not authorized.
    case exlibrisIncludeIncomplete = "EXLIBRIS_INCLUDE_INCOMPLETE"

    // The Ex Libris catalog (run-level findings, empty institution).
    /// The relay set of a region is incomplete: a temporary DNS error in the include's tree.
    case catalogIncomplete = "CATALOG_INCOMPLETE"
    case catalogStale = "CATALOG_STALE"
    case catalogDefaultUsed = "CATALOG_DEFAULT_USED"
    case catalogChanged = "CATALOG_CHANGED"
    case catalogDisagreement = "CATALOG_PAGE_INCLUDE_DISAGREE"
    case catalogNoAddress = "CATALOG_NO_ADDRESS"

    // DMARC of a From domain (RFC 7489).
    case dmarcMissing = "DMARC_MISSING"
    case dmarcPolicyNone = "DMARC_POLICY_NONE"
    case dmarcMisaligned = "DMARC_MISALIGNED"
    case dmarcTemperror = "DMARC_TEMPERROR"
    case dmarcAlignedByDKIM = "DMARC_ALIGNED_BY_DKIM"
    /// Several DMARC records at one name: RFC 7489 §6.6.3 ends discovery with no policy.
    case dmarcMultipleRecords = "DMARC_MULTIPLE_RECORDS"
    /// A `v=DMARC1` record without a valid `p` and without a valid `rua`: DMARC does not apply.
    case dmarcInvalid = "DMARC_INVALID"
    /// RFC 9989 and RFC 7489 receivers apply different policies (info, both in words).
    case dmarcReadingsDiffer = "DMARC_READINGS_DIFFER"
    /// `pct` below 100: gone in RFC 9989, never softens the verdict.
    case dmarcPctIgnored = "DMARC_PCT_IGNORED"
    /// `t=y`: RFC 9989 lowers the policy one level, RFC 7489 ignores it; never softens the verdict.
    case dmarcTesting = "DMARC_TESTING"
    /// `p=reject` without a usable DKIM key for the notices (RFC 9989 §7.4: such domains must sign).
    case dmarcRejectWithoutDKIM = "DMARC_REJECT_WITHOUT_DKIM"

    // The sending path (../shared/domain.md, "What is checked").
    /// No `envelope_from` in the inventory: Alma's default `alma@exlibrisgroup.com` is assumed.
    case envelopeDefaultAssumed = "ENVELOPE_DEFAULT_ASSUMED"
    /// No relay `egress_addresses`: the relay host's own addresses are assumed.
    case egressAssumed = "EGRESS_ASSUMED"
    /// A campus envelope domain's SPF does not pass from every sending address.
    case envelopeSPFNotPassing = "ENVELOPE_SPF_NOT_PASSING"

    // DKIM keys of the From domains (RFC 6376 §3.6.1, RFC 8301).
    case dkimMissing = "DKIM_MISSING"
    case dkimRevoked = "DKIM_REVOKED"
    case dkimInvalid = "DKIM_INVALID"
    case dkimWeakKey = "DKIM_WEAK_KEY"
    case dkimKeyTooWeak = "DKIM_KEY_TOO_WEAK"
    case dkimTesting = "DKIM_TESTING"
    case dkimTemperror = "DKIM_TEMPERROR"

    // The institution's own relay.
    case relayRefused = "RELAY_REFUSED"
    case relayUnreachable = "RELAY_UNREACHABLE"
    case relayUnreachableFromScanner = "RELAY_UNREACHABLE_FROM_SCANNER"
    case relayTimeout = "RELAY_TIMEOUT"
    case relayDNSError = "RELAY_DNS_ERROR"
    case relayTLSError = "RELAY_TLS_ERROR"
    case relayCertUntrusted = "RELAY_CERT_UNTRUSTED"
    case relayCertExpired = "RELAY_CERT_EXPIRED"
    case relayCertNameMismatch = "RELAY_CERT_NAME_MISMATCH"
    case relayStartTLSMissing = "RELAY_STARTTLS_MISSING"
    case relayAuthMissing = "RELAY_AUTH_MISSING"
    case relayAuthFailed = "RELAY_AUTH_FAILED"
    case relayRejected = "RELAY_REJECTED"
    case relayTemporary = "RELAY_TEMPORARY"
    case relayProtocolError = "RELAY_PROTOCOL_ERROR"
    case relayPasswordUnavailable = "RELAY_PASSWORD_UNAVAILABLE"
    /// The relay's credentials file is readable by group or others.
    case relayCredentialsExposed = "RELAY_CREDENTIALS_EXPOSED"
    case relayCertExpiring = "RELAY_CERT_EXPIRING"
    case relayTLSOld = "RELAY_TLS_OLD"
    case relayCleartextCredentials = "RELAY_CLEARTEXT_CREDENTIALS"
    case relayPort857 = "RELAY_PORT_857"
    case relayAuthNotTested = "RELAY_AUTH_NOT_TESTED"

    // The receivers' rules (../shared/domain.md, "The receivers' rules").
    /// The envelope domain's SPF does not pass from every sending address (the `spf` row).
    case inboxSPFNotPassing = "INBOX_SPF_NOT_PASSING"
    /// No usable DKIM key at a named selector of a From domain (the `dkim` row fails).
    case inboxDKIMMissing = "INBOX_DKIM_MISSING"
    /// No DKIM selector is named, so the `dkim` row cannot be decided.
    case inboxDKIMUnseen = "INBOX_DKIM_UNSEEN"
    /// A bulk sender's From domain has no DMARC record (the `dmarc_record` row).
    case inboxDMARCMissing = "INBOX_DMARC_MISSING"
    /// The From domain aligns with neither the passing SPF domain nor a usable DKIM key's domain.
    case inboxUnaligned = "INBOX_UNALIGNED"
    /// A campus sending address has no PTR record.
    case senderPTRMissing = "SENDER_PTR_MISSING"
    /// A campus sending address's PTR name does not resolve back to it.
    case senderPTRMismatch = "SENDER_PTR_MISMATCH"
    /// A campus sending address is listed on a configured DNS blocklist.
    case senderListed = "SENDER_LISTED"
    /// A DNS blocklist would not answer (refusal codes or no answer): unusable for the run.
    case dnsblUnusable = "DNSBL_UNUSABLE"
    /// An Ex Libris relay address has no forward-confirmed PTR (run level).
    case exlibrisRelayPTRMissing = "EXLIBRIS_RELAY_PTR_MISSING"
    /// Of a sampled Ex Libris range, some sampled addresses have no forward-confirmed PTR (warning).
    case exlibrisRelayPTRSampled = "EXLIBRIS_RELAY_PTR_SAMPLED"
    /// An Ex Libris relay address is listed on a configured DNS blocklist (run level).
    case exlibrisRelayListed = "EXLIBRIS_RELAY_LISTED"
    /// The SPF of exlibrisgroup.com (Alma's default envelope) does not pass over a region's relays.
    case exlibrisSPFNotPassing = "EXLIBRIS_SPF_NOT_PASSING"

    // What receivers reported (DMARC aggregate reports).
    /// Receivers' reports contradict the verdict (with the numbers); never changes it.
    case predictionContradicted = "PREDICTION_CONTRADICTED"
    /// Alma mail from addresses outside every relay set (run level).
    case catalogDrift = "CATALOG_DRIFT"
    /// A member's DMARC record does not list the consortium's report address.
    case ruaNotListed = "RUA_NOT_LISTED"
    /// The consortium's report address is external to the member and not authorized (RFC 9990 §4).
    case ruaAuthorizationMissing = "RUA_AUTHORIZATION_MISSING"

    // The scan itself.
    case scanDeadline = "SCAN_DEADLINE"
    case scanError = "SCAN_ERROR"
    /// The name servers answered no query at all: every verdict of the run that needed DNS is unknown.
    case dnsUnreachable = "DNS_UNREACHABLE"
    /// The scanner's resolver lies (denies the names that must exist, or answers one that cannot):
    /// run level, every institution unknown, no check run (``ResolverTrustCheck``).
    case dnsUntrusted = "DNS_UNTRUSTED"
    /// A From domain does not exist (NXDOMAIN): receivers refuse mail from it.
    case fromDomainNotFound = "FROM_DOMAIN_NOT_FOUND"

    public static func < (lhs: FindingCode, rhs: FindingCode) -> Bool { lhs.rawValue < rhs.rawValue }

    /// What a finding is about, for grouping in letters and dashboards.
    public enum Concern: Sendable {
        case spf, dmarc, dkim, relay, catalog, scan, inbox
    }

    /// The concern of this code.
    public var concern: Concern {
        switch self {
        case .spfNotAuthorized, .spfNoRecord, .spfPermerror, .spfTemperror, .spfLookupLimit, .spfCoverageSampled, .spfRelaysUnknown, .spfPtrUsed,
             .spfPassAll, .spfRecordTooLong, .spfAnswerTooLong, .exlibrisIncludeIncomplete, .envelopeSPFNotPassing, .envelopeDefaultAssumed,
             .fromDomainNotFound:
            .spf
        case .dmarcMissing, .dmarcPolicyNone, .dmarcMisaligned, .dmarcTemperror, .dmarcAlignedByDKIM, .dmarcMultipleRecords, .dmarcInvalid,
             .dmarcReadingsDiffer, .dmarcPctIgnored, .dmarcTesting, .dmarcRejectWithoutDKIM:
            .dmarc
        case .dkimMissing, .dkimRevoked, .dkimInvalid, .dkimWeakKey, .dkimKeyTooWeak, .dkimTesting, .dkimTemperror:
            .dkim
        case .inboxSPFNotPassing, .inboxDKIMMissing, .inboxDKIMUnseen, .inboxDMARCMissing, .inboxUnaligned, .senderPTRMissing, .senderPTRMismatch,
             .senderListed, .dnsblUnusable, .exlibrisRelayPTRMissing, .exlibrisRelayPTRSampled, .exlibrisRelayListed, .exlibrisSPFNotPassing:
            .inbox
        case .predictionContradicted, .ruaNotListed, .ruaAuthorizationMissing:
            .dmarc
        case .relayRefused, .relayUnreachable, .relayUnreachableFromScanner, .relayTimeout, .relayDNSError, .relayTLSError, .relayCertUntrusted,
             .relayCertExpired, .relayCertNameMismatch, .relayStartTLSMissing, .relayAuthMissing, .relayAuthFailed, .relayRejected, .relayTemporary,
             .relayProtocolError, .relayPasswordUnavailable, .relayCredentialsExposed, .relayCertExpiring, .relayTLSOld, .relayCleartextCredentials, .relayPort857,
             .relayAuthNotTested, .egressAssumed:
            .relay
        case .catalogIncomplete, .catalogStale, .catalogDefaultUsed, .catalogChanged, .catalogDisagreement, .catalogNoAddress, .catalogDrift:
            .catalog
        case .scanDeadline, .scanError, .dnsUnreachable, .dnsUntrusted:
            .scan
        }
    }

    /// The finding of a DKIM key that is not `ok`.
    public static func dkim(_ status: DKIMKeyStatus) -> FindingCode? {
        switch status {
        case .ok: nil
        case .weak: .dkimWeakKey
        case .tooWeak: .dkimKeyTooWeak
        case .revoked: .dkimRevoked
        case .invalid: .dkimInvalid
        case .missing: .dkimMissing
        case .temperror: .dkimTemperror
        }
    }

    /// The finding of a relay that did not pass the probe.
    public static func relay(_ status: RelayStatus) -> FindingCode? {
        switch status {
        case .ok: nil
        case .refused: .relayRefused
        case .unreachable: .relayUnreachable
        case .timeout: .relayTimeout
        case .dnsError: .relayDNSError
        case .tlsError: .relayTLSError
        case .certUntrusted: .relayCertUntrusted
        case .certExpired: .relayCertExpired
        case .certNameMismatch: .relayCertNameMismatch
        case .starttlsMissing: .relayStartTLSMissing
        case .authMissing: .relayAuthMissing
        case .authFailed: .relayAuthFailed
        case .rejected: .relayRejected
        case .temporary: .relayTemporary
        case .protocolError: .relayProtocolError
        }
    }
}
