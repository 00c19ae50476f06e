extension String {
    /// The string with every `character` (ASCII) replaced by `replacement`, byte by byte; itself
    /// when it has none. Foundation's `replacingOccurrences` copies every string through NSString
    /// (issue 22: 3 % of a scan's CPU in the CSV fields, Markdown text and DNS names).
    func replacingASCII(_ character: Unicode.Scalar, with replacement: String) -> String {
        precondition(character.isASCII, "a byte-wise replacement replaces an ASCII character")
        let target = UInt8(character.value)
        guard utf8.contains(target) else { return self }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count + 16)
        for byte in utf8 {
            if byte == target { out.append(contentsOf: replacement.utf8) } else { out.append(byte) }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
