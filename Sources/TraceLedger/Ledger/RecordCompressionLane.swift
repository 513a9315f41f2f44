import Dispatch
import ZstdKit

/// A large batch's records made (compressed, with their headers) on a second thread while the writer writes the
/// batch's index entries: the appender hands over each event's canonical body and chain hash as it makes them,
/// in chunks, and takes the finished records back, in position order, when it has written everything else.
///
/// zstd was ~10% of the writer thread's CPU at batch 1000 (perf of `ledger-bench reads --only append`), and
/// nothing else needs the compressed record before the batch ends: no read in an append's write phase reads a
/// record of its own batch except an order's first event for an event without a trace, and the appender hands
/// the records in (`finish()`) before resolving one.
///
/// Not Sendable: the writer thread owns it; chunks cross to the lane's queue as values, and the records come back
/// through `finish()`, which waits on that queue.
final class RecordCompressionLane {
    /// One event handed over: what its record's header holds and where its body ends in the chunk's bytes.
    private struct Entry: Sendable {
        let recordedAt: Timestamp
        let hash: ChainHash
        let bodyEnd: Int
    }

    private struct Chunk: Sendable {
        var bodies: [UInt8] = []
        var entries: [Entry] = []
    }

    /// The lane's side: its own codec (zstd contexts belong to one thread) and the records it made.
    private final class Worker: @unchecked Sendable {
        let codec = RecordCodec()
        var records: [UInt8] = []
        var recordEnds: [Int] = []
        var body: [UInt8] = []
        var record: [UInt8] = []
        var failure: (any Error)?
    }

    /// Events per chunk handed over: the lane starts on the first while the writer makes the next.
    static let eventsPerChunk = 256

    private let queue = DispatchQueue(label: "traceledger.writer.records")
    private let worker = Worker()
    private var chunk = Chunk()
    /// The records `finish()` took from the lane, and where each ends.
    private var taken: [UInt8] = []
    private var takenEnds: [Int] = []
    private var dictionary: ZstdDictionary?
    /// Events handed over since the last `finish()`.
    private(set) var pending = 0

    init() { chunk.bodies.reserveCapacity(Self.eventsPerChunk * 512) }

    /// Hands over the next event's canonical body and the header fields of its record; all events handed over
    /// until `finish()` are compressed with `dictionary`.
    func add(body: [UInt8], recordedAt: Timestamp, hash: ChainHash, dictionary: ZstdDictionary?) {
        self.dictionary = dictionary
        chunk.bodies.append(contentsOf: body)
        chunk.entries.append(Entry(recordedAt: recordedAt, hash: hash, bodyEnd: chunk.bodies.count))
        pending += 1
        if chunk.entries.count == Self.eventsPerChunk { submit() }
    }

    /// Waits for every record handed over and gives them to `body` in the order they were handed over, then
    /// forgets them.
    ///
    /// - Throws: the first error making a record threw (`LedgerError` `.storage`), or what `body` throws.
    func finish(_ body: (_ index: Int, _ record: UnsafeRawBufferPointer) throws -> Void) throws {
        submit()
        defer { discard() }
        // The lane's buffers and the writer's swap places, so neither side copies or allocates.
        let failure = queue.sync { () -> (any Error)? in
            swap(&worker.records, &taken)
            swap(&worker.recordEnds, &takenEnds)
            return worker.failure
        }
        if let failure { throw failure }
        try taken.withUnsafeBytes { records in
            var start = 0
            for (index, end) in takenEnds.enumerated() {
                try body(index, UnsafeRawBufferPointer(rebasing: records[start..<end]))
                start = end
            }
        }
    }

    /// Forgets what was handed over, made or not (the batch failed, or its records were written).
    func discard() {
        chunk.entries.removeAll(keepingCapacity: true)
        chunk.bodies.removeAll(keepingCapacity: true)
        taken.removeAll(keepingCapacity: true)
        takenEnds.removeAll(keepingCapacity: true)
        pending = 0
        queue.sync { [worker] in
            worker.records.removeAll(keepingCapacity: true)
            worker.recordEnds.removeAll(keepingCapacity: true)
            worker.failure = nil
        }
    }

    private func submit() {
        guard !chunk.entries.isEmpty else { return }
        let full = chunk
        chunk.entries.removeAll(keepingCapacity: true)
        chunk.bodies.removeAll(keepingCapacity: true)
        queue.async { [worker, dictionary] in
            guard worker.failure == nil else { return }
            var start = 0
            for entry in full.entries {
                do {
                    worker.body.removeAll(keepingCapacity: true)
                    worker.body.append(contentsOf: full.bodies[start..<entry.bodyEnd])
                    try worker.codec.encode(
                        body: worker.body, recordedAt: entry.recordedAt, hash: entry.hash,
                        dictionary: dictionary, into: &worker.record)
                } catch {
                    worker.failure = error
                    return
                }
                worker.records.append(contentsOf: worker.record)
                worker.recordEnds.append(worker.records.count)
                start = entry.bodyEnd
            }
        }
    }
}
