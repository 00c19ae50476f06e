import Foundation

/// A number with a fixed count of decimals, as C's `printf("%.Nf")` writes it (the C library's own
/// formatting): `String(format:)` formats through Foundation's locale machinery, which the reports
/// do not need (issue 34: what a run keeps resident).
enum FixedPoint {
    static func text(_ value: Double, decimals: Int) -> String {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 352) { buffer in
            let count = withVaList([value]) { vsnprintf(buffer.baseAddress, buffer.count, "%.\(decimals)f", $0) }
            return String(decoding: UnsafeRawBufferPointer(start: buffer.baseAddress, count: max(0, min(Int(count), buffer.count - 1))), as: UTF8.self)
        }
    }
}
