import Dispatch
import Synchronization

/// The hash chain recomputed on a thread of its own while `Ledger.verify` reads and decompresses the records
/// after: the walk hands over each record's canonical body in batches, in position order, and the lane
/// hashes them in that order, from the genesis hash, and compares each with the hash its record stores.
///
/// The walk's own checks (a missing or unreadable record, recordedAt, the body's structure) and the lane's
/// meet in position order: the walk hands over the records before the one it stops at (and that one too when
/// its hash is checked first, as it is for recordedAt and the body), then `finish()` gives the first record
/// whose hash did not match among them. At most `batchesInFlight` batches wait for the lane, so its memory is
/// bounded, and the walk stops early once the lane has found a mismatch (`foundMismatch`).
///
/// Not Sendable: one walk owns it; the batches cross to the lane's queue as values.
final class ChainHashingLane {
    /// One record handed over: its stored fields and where its body ends in the batch's bytes.
    private struct Record: Sendable {
        let position: UInt64
        let recordedAt: Timestamp
        let storedHash: ChainHash
        /// An erased record's hash cannot be recomputed: the chain goes on from the one it stored.
        let erased: Bool
        let bodyEnd: Int
    }

    private struct Batch: Sendable {
        var bodies: [UInt8] = []
        var records: [Record] = []
    }

    /// What the lane has computed so far.
    private struct Progress: Sendable {
        var previous = ChainHash.genesis
        /// The first position whose recomputed hash differs from the stored one.
        var mismatch: UInt64?
    }

    private static let recordsPerBatch = 1_024
    private static let batchesInFlight = 2

    private let queue = DispatchQueue(label: "traceledger.verify.chain")
    private let slots = DispatchSemaphore(value: ChainHashingLane.batchesInFlight)
    /// The lane's progress, shared with the blocks on its queue.
    private final class Shared: Sendable { let progress = Mutex(Progress()) }
    private let shared = Shared()
    private var batch = Batch()

    init() { batch.bodies.reserveCapacity(Self.recordsPerBatch * 512) }

    /// Whether the lane had found a record whose hash does not match when the last batch was handed over (the
    /// walk may stop reading); cheap enough to ask after every record.
    private(set) var foundMismatch = false

    /// Hands over the record at `position` (the one after the last handed over).
    func add(
        position: UInt64, recordedAt: Timestamp, storedHash: ChainHash, erased: Bool,
        body: UnsafeRawBufferPointer
    ) {
        if !erased { batch.bodies.append(contentsOf: body) }
        batch.records.append(
            Record(
                position: position, recordedAt: recordedAt, storedHash: storedHash, erased: erased,
                bodyEnd: batch.bodies.count))
        if batch.records.count == Self.recordsPerBatch { submit() }
    }

    /// Waits for every record handed over to be hashed: the first whose hash did not match, or nil, and the
    /// last hash of the chain so far (the stored head must equal it).
    func finish() -> (mismatch: UInt64?, last: ChainHash) {
        submit()
        queue.sync {}
        return shared.progress.withLock { ($0.mismatch, $0.previous) }
    }

    private func submit() {
        guard !batch.records.isEmpty else { return }
        let full = batch
        batch.records.removeAll(keepingCapacity: true)
        batch.bodies.removeAll(keepingCapacity: true)
        slots.wait()
        foundMismatch = shared.progress.withLock { $0.mismatch != nil }
        queue.async { [shared, slots] in
            defer { slots.signal() }
            var state = shared.progress.withLock { $0 }
            guard state.mismatch == nil else { return }
            full.bodies.withUnsafeBytes { bodies in
                var start = 0
                for record in full.records {
                    let recomputed =
                        record.erased
                        ? record.storedHash
                        : ChainHasher.hash(
                            previous: state.previous, position: record.position,
                            recordedAt: record.recordedAt,
                            body: UnsafeRawBufferPointer(rebasing: bodies[start..<record.bodyEnd]))
                    start = record.bodyEnd
                    guard recomputed == record.storedHash else {
                        state.mismatch = record.position
                        return
                    }
                    state.previous = recomputed
                }
            }
            shared.progress.withLock { $0 = state }
        }
    }
}
