/// The tool's version, printed by `--version` and sent in the HTTP `User-Agent`.
public enum NoticeAuditVersion {
    public static let current = "0.2.0"
}
