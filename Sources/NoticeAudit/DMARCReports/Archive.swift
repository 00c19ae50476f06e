import CArchive

/// Why a compressed file could not be read.
public struct ArchiveError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
}

/// The gzip and zip files that carry DMARC aggregate reports (RFC 7489 §7.2.1.1: "gzip" or "zip"),
/// read with libarchive, and the gzip stream a report is kept in. The only code that imports
/// CArchive.
public enum Archive {
    /// One file of an archive (for gzip, the one stream, named as the gzip header names it).
    public struct Entry: Sendable {
        public var name: String
        public var bytes: [UInt8]
    }

    /// The largest a decompressed file may grow: a report of 100,000 records is well under it, and
    /// a decompression bomb stops here with a reason.
    public static let maximumEntrySize = 64 << 20

    /// True when `bytes` start like a zip (`PK\3\4`) or a gzip (`1f 8b`) file.
    public static func isCompressed(_ bytes: [UInt8]) -> Bool {
        isZip(bytes) || isGzip(bytes)
    }

    static func isZip(_ bytes: [UInt8]) -> Bool { bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) }
    static func isGzip(_ bytes: [UInt8]) -> Bool { bytes.starts(with: [0x1F, 0x8B]) }

    /// The regular files of a zip, or the decompressed stream of a gzip.
    public static func entries(of bytes: [UInt8]) throws(ArchiveError) -> [Entry] {
        guard let reader = archive_read_new() else { throw ArchiveError(description: "libarchive could not start") }
        defer { archive_read_free(reader) }
        let zip = isZip(bytes)
        if zip {
            archive_read_support_format_zip(reader)
        } else {
            archive_read_support_filter_all(reader)
            archive_read_support_format_raw(reader)
        }
        var entries: [Entry] = []
        var tooLarge = false
        let status: Int32 = bytes.withUnsafeBytes { buffer in
            guard archive_read_open_memory(reader, buffer.baseAddress, buffer.count) == ARCHIVE_OK else { return ARCHIVE_FATAL }
            var entry: OpaquePointer?
            while true {
                let next = archive_read_next_header(reader, &entry)
                if next == ARCHIVE_EOF { return ARCHIVE_OK }
                guard next == ARCHIVE_OK || next == ARCHIVE_WARN, let entry else { return next }
                let name = archive_entry_pathname(entry).map { String(cString: $0) } ?? "data"
                if zip, archive_entry_filetype(entry) != carchive_regular_file { continue }
                var data: [UInt8] = []
                var chunk = [UInt8](repeating: 0, count: 64 << 10)
                while true {
                    let read = chunk.withUnsafeMutableBytes { archive_read_data(reader, $0.baseAddress, $0.count) }
                    if read == 0 { break }
                    if read < 0 { return Int32(read) }
                    data += chunk[0..<read]
                    if data.count > maximumEntrySize {
                        tooLarge = true
                        return ARCHIVE_FATAL
                    }
                }
                entries.append(Entry(name: name, bytes: data))
            }
        }
        if tooLarge {
            throw ArchiveError(description: "a file inside decompresses to more than \(maximumEntrySize >> 20) MB")
        }
        guard status == ARCHIVE_OK else {
            let reason = archive_error_string(reader).map { String(cString: $0) } ?? "unreadable"
            throw ArchiveError(description: "not a readable \(zip ? "zip" : "gzip") file: \(reason)")
        }
        return entries
    }

    /// `bytes` as one gzip stream (RFC 1952), for keeping a report's raw XML in the history.
    public static func gzip(_ bytes: [UInt8]) throws(ArchiveError) -> [UInt8] {
        guard let writer = archive_write_new() else { throw ArchiveError(description: "libarchive could not start") }
        defer { archive_write_free(writer) }
        archive_write_add_filter_gzip(writer)
        archive_write_set_format_raw(writer)
        archive_write_set_bytes_in_last_block(writer, 1)
        var output = [UInt8](repeating: 0, count: bytes.count + bytes.count / 10 + 1024)
        var used = 0
        let status: Int32 = output.withUnsafeMutableBytes { out in
            guard archive_write_open_memory(writer, out.baseAddress, out.count, &used) == ARCHIVE_OK,
                  let entry = archive_entry_new() else { return ARCHIVE_FATAL }
            defer { archive_entry_free(entry) }
            archive_entry_set_filetype(entry, carchive_regular_file)
            archive_entry_set_pathname(entry, "report.xml")
            guard archive_write_header(writer, entry) == ARCHIVE_OK else { return ARCHIVE_FATAL }
            let written = bytes.withUnsafeBytes { archive_write_data(writer, $0.baseAddress, $0.count) }
            guard written == bytes.count else { return ARCHIVE_FATAL }
            return archive_write_close(writer)
        }
        guard status == ARCHIVE_OK else {
            throw ArchiveError(description: "could not compress: " + (archive_error_string(writer).map { String(cString: $0) } ?? "unknown"))
        }
        return Array(output[0..<used])
    }
}
