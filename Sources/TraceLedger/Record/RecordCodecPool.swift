import Synchronization

/// Lends record codecs to any thread, so readers reuse zstd contexts instead of creating one per read.
///
/// Sendable: the pool's list is guarded by a mutex and a codec is used by one borrower at a time.
final class RecordCodecPool: Sendable {
    private let idle = Mutex<[UncheckedCodec]>([])

    /// A codec moved between threads through the pool; only one borrower holds it at a time.
    private struct UncheckedCodec: @unchecked Sendable { let codec: RecordCodec }

    func withCodec<Result>(_ body: (RecordCodec) throws -> Result) rethrows -> Result {
        let borrowed = idle.withLock { $0.popLast() }?.codec ?? RecordCodec()
        defer { idle.withLock { if $0.count < 16 { $0.append(UncheckedCodec(codec: borrowed)) } } }
        return try body(borrowed)
    }
}
