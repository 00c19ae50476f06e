import Foundation

/// The folders of a reports directory and their lifecycle: a run folder is written under a hidden
/// staging name and renamed into place, `latest` is a relative symbolic link replaced by `rename(2)`,
/// `index.html` lists the runs, old run folders are pruned, and what killed writers left is removed.
///
/// Nothing is ever seen half-written: a reader finds either the previous complete run or the new
/// one, never a missing or partial `latest`. Two scans finishing together both leave `latest`
/// pointing at a complete run. A write that fails (disk full, permissions) removes its staging
/// folder and leaves `latest` as it was.
public struct RunFolders: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// A new hidden staging folder for the run folder `name` (``removeAbandonedStaging(in:now:)``
    /// knows its name's shape), after removing what killed writers left.
    func makeStaging(for name: String) throws(ReportWriteError) -> URL {
        let root = URL(fileURLWithPath: directory)
        try ReportWriteError.attempt(root.path) { try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true) }
        removeAbandonedStaging(in: root)
        let staging = root.appendingPathComponent(".\(name).\(getpid()).\(UUID().uuidString.prefix(8))")
        try ReportWriteError.attempt(staging.path) { try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: false) }
        return staging
    }

    /// Rewrites `REPORTS/index.html`, the list of runs (``RunIndexRenderer``), from history's
    /// `runs` and the run folders present; written under a temporary name and renamed.
    public func writeRunIndex(consortium: String?, runs: [RunListing]) throws(ReportWriteError) {
        let root = URL(fileURLWithPath: directory)
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: root.path) } catch {
            throw ReportWriteError(path: root.path, detail: ReportWriteError.reason(error))
        }
        let page = RunIndexRenderer.render(consortium: consortium, runs: runs, folders: Set(names.filter(RunIndexRenderer.isRunFolder)))
        let target = root.appendingPathComponent("index.html")
        let temporary = root.appendingPathComponent(".index.html.\(getpid()).\(UUID().uuidString.prefix(8))")
        do throws(ReportWriteError) {
            try ReportWriteError.attempt(temporary.path) { try Data(page.utf8).write(to: temporary) }
            guard Foundation.rename(temporary.path, target.path) == 0 else { throw ReportWriteError(path: target.path, errno: errno) }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }

    /// Deletes run folders whose run started more than `days` days ago (by the folder's name),
    /// except the one `latest` points to: `--keep-days` bounds the disk as it bounds the database.
    /// Returns the names deleted.
    @discardableResult
    public func pruneRunFolders(keepDays days: Int, now: Date = Date()) throws(ReportWriteError) -> [String] {
        let root = URL(fileURLWithPath: directory)
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: root.path) } catch {
            throw ReportWriteError(path: root.path, detail: ReportWriteError.reason(error))
        }
        let latest = try? FileManager.default.destinationOfSymbolicLink(atPath: root.appendingPathComponent("latest").path)
        let limit = now.addingTimeInterval(-Double(days) * 86_400)
        var deleted: [String] = []
        for name in names.sorted() where RunIndexRenderer.isRunFolder(name) && name != latest {
            guard let started = Self.startDate(ofFolder: name), started < limit else { continue }
            try ReportWriteError.attempt(root.appendingPathComponent(name).path) { try FileManager.default.removeItem(at: root.appendingPathComponent(name)) }
            deleted.append(name)
        }
        return deleted
    }

    /// The start time a run folder's name gives (`2026-11-26T030000Z-run12`).
    static func startDate(ofFolder name: String) -> Date? {
        name.split(separator: "-run").first.flatMap { UTCTime.parseFolderName(String($0)) }
    }

    /// Removes what a killed writer left: staging folders, `latest` links and index files under
    /// their hidden temporary names (`.NAME.PID.XXXXXXXX[.old]`), when that process is gone or the
    /// leftover is older than a day (a process of another host or container sharing the folder).
    func removeAbandonedStaging(in root: URL, now: Date = Date()) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: root.path) else { return }
        for name in names where name.hasPrefix(".") {
            let parts = name.split(separator: ".")
            guard let pidIndex = parts.lastIndex(where: { Int32($0) != nil && $0.count < 11 }), pidIndex + 1 < parts.count,
                  parts[pidIndex + 1].count == 8, let pid = Int32(parts[pidIndex]) else { continue }
            let path = root.appendingPathComponent(name).path
            let gone = pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH
            let modified = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? now
            guard gone || now.timeIntervalSince(modified) > 86_400 else { continue }
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    /// Renames `staging` to `folder`; an earlier rendering of the same run is moved aside first
    /// and removed after.
    func replace(_ folder: URL, with staging: URL) throws(ReportWriteError) {
        if Foundation.rename(staging.path, folder.path) == 0 { return }
        guard errno == EEXIST || errno == ENOTEMPTY else { throw ReportWriteError(path: folder.path, errno: errno) }
        let aside = staging.appendingPathExtension("old")
        guard Foundation.rename(folder.path, aside.path) == 0 else { throw ReportWriteError(path: folder.path, errno: errno) }
        guard Foundation.rename(staging.path, folder.path) == 0 else {
            let code = errno
            _ = Foundation.rename(aside.path, folder.path)
            throw ReportWriteError(path: folder.path, errno: code)
        }
        try? FileManager.default.removeItem(at: aside)
    }

    /// Replaces `latest` by a link to `folderName` in one `rename(2)`.
    func pointLatest(at folderName: String, in root: URL) throws(ReportWriteError) {
        let latest = root.appendingPathComponent("latest")
        let link = root.appendingPathComponent(".latest.\(getpid()).\(UUID().uuidString.prefix(8))")
        guard symlink(folderName, link.path) == 0 else { throw ReportWriteError(path: link.path, errno: errno) }
        // Reports written by 0.1.0 keep `latest` as a real folder: rename cannot put a link over a
        // folder, so the old one goes first (once).
        var status = stat()
        if lstat(latest.path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR {
            let aside = root.appendingPathComponent(".latest-folder.\(getpid())")
            if Foundation.rename(latest.path, aside.path) == 0 { try? FileManager.default.removeItem(at: aside) }
        }
        guard Foundation.rename(link.path, latest.path) == 0 else {
            let code = errno
            unlink(link.path)
            throw ReportWriteError(path: latest.path, errno: code)
        }
    }

}
