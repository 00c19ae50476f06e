import Foundation

/// An exclusive `flock(2)` on a file: held while a job runs, released by the kernel when the
/// process ends however it ends, so a crash never leaves it behind.
public final class JobLock: Sendable {
    public let path: String
    private let descriptor: Int32

    public init(path: String) throws {
        self.path = path
        let descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o640)
        guard descriptor >= 0 else { throw ScheduleError("cannot open the lock file \(path): \(String(cString: strerror(errno)))") }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Takes the lock if nobody holds it; false when another process does.
    public func tryLock() -> Bool { flock(descriptor, LOCK_EX | LOCK_NB) == 0 }

    public func unlock() { flock(descriptor, LOCK_UN) }
}
