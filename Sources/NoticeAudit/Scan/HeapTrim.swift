import Foundation

/// glibc's malloc tuning, which the Glibc module does not import (`<malloc.h>`): a long scan frees
/// far more than it keeps, and the pages of those frees stay resident unless given back.
public enum HeapTrim {
    private typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
    private typealias MallocTrim = @convention(c) (Int) -> Int32

    private static func symbol(_ name: String) -> UnsafeMutableRawPointer? {
        dlsym(UnsafeMutableRawPointer(bitPattern: 0), name)
    }

    /// `mallopt(M_ARENA_MAX, count)`: at most `count` arenas instead of one per thread that
    /// allocates (the cooperative pool, the c-ares and curl threads, GRDB's queues), so memory one
    /// thread frees is reused by the others. Call it before the first thread starts.
    public static func limitArenas(_ count: Int32) {
        let arenaMax: Int32 = -8  // M_ARENA_MAX
        guard let mallopt = symbol("mallopt") else { return }
        _ = unsafeBitCast(mallopt, to: Mallopt.self)(arenaMax, count)
    }

    /// `malloc_trim(0)`: gives the free pages inside the heap back to the system (a scan calls it
    /// every few thousand institutions; it costs a walk of the free lists, about a millisecond).
    public static func releaseFreePages() {
        guard let trim = symbol("malloc_trim") else { return }
        _ = unsafeBitCast(trim, to: MallocTrim.self)(0)
    }
}
