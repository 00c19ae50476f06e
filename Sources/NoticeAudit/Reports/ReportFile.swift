import Foundation

/// A report file written through a 64 KiB buffer: text is appended as it is rendered, so that a
/// file of any size costs the buffer, not its length, in memory. Created exclusively (`O_EXCL`),
/// mode 0644; every failure names the file and the system's reason.
final class ReportFile {
    let path: String
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    static let defaultCapacity = 1 << 16
    /// Bytes buffered before a write.
    private let capacity: Int
    /// Bytes appended so far (written or buffered): where the next append starts.
    private(set) var length: Int64 = 0

    /// `capacity`: the bytes buffered before a write (the seven spills of a running scan, written a
    /// few hundred bytes at a time, buffer less than a report file).
    init(path: String, capacity: Int = ReportFile.defaultCapacity) throws(ReportWriteError) {
        self.path = path
        self.capacity = capacity
        descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw ReportWriteError(path: path, errno: errno) }
        buffer.reserveCapacity(capacity)
    }

    deinit {
        if descriptor >= 0 { Foundation.close(descriptor) }
    }

    func append(_ text: String) throws(ReportWriteError) {
        let before = buffer.count
        buffer.append(contentsOf: text.utf8)
        length += Int64(buffer.count - before)
        if buffer.count >= capacity { try flush() }
    }

    /// Appends `count` bytes of the file open as `source` from `offset` (a range of a spill file,
    /// ``PrerenderedReport``), through the buffer.
    func append(from source: Int32, path sourcePath: String, offset: Int64, count: Int) throws(ReportWriteError) {
        var offset = offset, remaining = count
        while remaining > 0 {
            if buffer.count >= capacity { try flush() }
            let chunk = min(remaining, capacity - buffer.count)
            let start = buffer.count
            buffer.append(contentsOf: repeatElement(0, count: chunk))
            let read = buffer.withUnsafeMutableBytes { pread(source, $0.baseAddress! + start, chunk, off_t(offset)) }
            guard read > 0 else {
                buffer.removeLast(chunk)
                if read < 0, errno == EINTR { continue }
                throw ReportWriteError(path: sourcePath, detail: read < 0 ? String(cString: strerror(errno)) : "ended before its recorded length")
            }
            buffer.removeLast(chunk - read)
            offset += Int64(read)
            remaining -= read
            length += Int64(read)
        }
    }

    /// Writes what is buffered and closes the file.
    func close() throws(ReportWriteError) {
        try flush()
        let result = Foundation.close(descriptor)
        descriptor = -1
        guard result == 0 else { throw ReportWriteError(path: path, errno: errno) }
    }

    private func flush() throws(ReportWriteError) {
        guard !buffer.isEmpty else { return }
        try writeAll(buffer[...])
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeAll(_ bytes: ArraySlice<UInt8>) throws(ReportWriteError) {
        var written = bytes.startIndex
        while written < bytes.endIndex {
            let count = bytes[written...].withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ReportWriteError(path: path, errno: errno)
            }
            written += count
        }
    }

    /// Writes `text` as the whole file at `path`.
    static func write(_ text: String, to path: String) throws(ReportWriteError) {
        let file = try ReportFile(path: path)
        try file.append(text)
        try file.close()
    }
}
