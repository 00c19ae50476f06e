/// Writes an ``EncodedJSON`` tree with the options of its `owner` as `JSONEncoder` formats it:
/// keys converted, dates written, compact, or indented by two spaces with `" : "` between a key and
/// its value and an empty container written as an opening bracket, a blank line and the closing bracket.
struct EncodedJSONWriter {
    let owner: JSONTextEncoder
    let pretty: Bool
    let sortedKeys: Bool
    let escapesSlashes: Bool
    private(set) var bytes: [UInt8] = []
    private var indent = 0

    init(owner: JSONTextEncoder, indent: Int = 0) {
        self.owner = owner
        self.indent = indent
        pretty = owner.prettyPrinted
        sortedKeys = owner.sortedKeys
        escapesSlashes = owner.escapesSlashes
        bytes.reserveCapacity(4096)
    }

    mutating func write(_ value: EncodedJSON) {
        switch value {
        case .null: append("null")
        case .bool(let flag): append(flag ? "true" : "false")
        case .integer(let number): writeInteger(number)
        case .unsigned(let number): append(String(number))
        case .number(let text): append(text)
        case .string(let text): writeString(text)
        case .date(let date):
            let text = owner.dateText(date)
            if owner.iso8601Dates { writeString(text) } else { append(text) }
        case .object(let object): writeObject(object)
        case .array(let array): writeArray(array)
        }
    }

    private mutating func writeObject(_ object: EncodedJSON.Object) {
        bytes.append(UInt8(ascii: "{"))
        let keys = object.verbatimKeys || !owner.snakeCaseKeys ? object.keys : object.keys.map(owner.key)
        var order = Array(keys.indices)
        if sortedKeys { order.sort { keys[$0] < keys[$1] } }
        open()
        for (position, index) in order.enumerated() {
            separate(first: position == 0)
            writeString(keys[index])
            if pretty { append(" : ") } else { bytes.append(UInt8(ascii: ":")) }
            write(object.values[index])
        }
        close(UInt8(ascii: "}"))
    }

    private mutating func writeArray(_ array: EncodedJSON.Array) {
        bytes.append(UInt8(ascii: "["))
        open()
        for (position, element) in array.values.enumerated() {
            separate(first: position == 0)
            write(element)
        }
        close(UInt8(ascii: "]"))
    }

    private mutating func open() {
        guard pretty else { return }
        bytes.append(UInt8(ascii: "\n"))
        indent += 2
    }

    private mutating func separate(first: Bool) {
        if !first {
            bytes.append(UInt8(ascii: ","))
            if pretty { bytes.append(UInt8(ascii: "\n")) }
        }
        if pretty { bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent)) }
    }

    private mutating func close(_ bracket: UInt8) {
        if pretty {
            bytes.append(UInt8(ascii: "\n"))
            indent -= 2
            bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent))
        }
        bytes.append(bracket)
    }

    private mutating func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    private mutating func writeInteger(_ number: Int64) {
        guard number >= 0 && number < 10 else { return append(String(number)) }
        bytes.append(UInt8(ascii: "0") + UInt8(number))
    }

    /// RFC 8259 §7: `"` and `\` escaped, control characters as `\n`, `\r`, `\t`, `\b`, `\f` or
    /// `\u00XX`; `/` as `\/` unless told not to; everything else as its UTF-8.
    private mutating func writeString(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var start = 0
            for (index, byte) in utf8.enumerated() {
                let escape: String
                switch byte {
                case UInt8(ascii: "\""): escape = "\\\""
                case UInt8(ascii: "\\"): escape = "\\\\"
                case UInt8(ascii: "/") where escapesSlashes: escape = "\\/"
                case 0x0A: escape = "\\n"
                case 0x0D: escape = "\\r"
                case 0x09: escape = "\\t"
                case 0x08: escape = "\\b"
                case 0x0C: escape = "\\f"
                case 0..<0x20:
                    let hex = Array("0123456789abcdef".utf8)
                    escape = "\\u00" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]], as: UTF8.self)
                default: continue
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index]))
                bytes.append(contentsOf: escape.utf8)
                start = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
