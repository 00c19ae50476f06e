/// The one limit of every network step of every command (`--timeout`, default 5 s; shared/interface.md):
/// one DNS query, one connection, one SMTP dialogue step, one HTTP transfer. An IMAP session, which
/// reads a whole mailbox, gets four.
public struct NetworkTimeout: Sendable, Equatable {
    /// One step.
    public var step: Duration

    public init(step: Duration) {
        self.step = step
    }

    /// 5 seconds a step.
    public static let standard = NetworkTimeout(step: .seconds(5))

    /// A step in seconds, as `--timeout` takes it.
    public var stepSeconds: Double { Double(step.components.seconds) + Double(step.components.attoseconds) / 1e18 }

    /// An IMAP session (login, search, fetch and flag of every message): four steps.
    public var mailboxSession: Duration { step * 4 }
}
