import Synchronization

/// The institutions of a run still to check, in inventory order, held in chunks that are freed as
/// they are taken: the inventory's memory goes while the results' summaries come, instead of both
/// being held at the end of the checks (100,000 institutions: 24 MB, docs/benchmarks.md).
final class InstitutionQueue: Sendable {
    /// How many institutions the queue was made with.
    let count: Int
    /// The chunks, the next one last; each chunk's next institution last.
    private let chunks: Mutex<[[Institution]]>

    /// Takes `institutions` over: the caller keeps no copy, so that the array's memory is the queue's alone.
    init(_ institutions: consuming [Institution], chunkSize: Int = 1024) {
        count = institutions.count
        var chunks: [[Institution]] = []
        chunks.reserveCapacity(count / chunkSize + 1)
        var end = institutions.count
        while end > 0 {
            let start = max(0, end - chunkSize)
            chunks.append(institutions[start..<end].reversed())
            end = start
        }
        self.chunks = Mutex(chunks)
    }

    /// The next institution, or nil when every one was taken.
    func next() -> Institution? {
        chunks.withLock { chunks in
            while let last = chunks.indices.last {
                if let institution = chunks[last].popLast() { return institution }
                chunks.removeLast()
            }
            return nil
        }
    }
}
