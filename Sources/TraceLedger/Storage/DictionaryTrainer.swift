import LMDBKit
import ZstdKit

/// Trains the zstd dictionary from the store's own events once there are enough of them, and again when the
/// store has grown a hundredfold, so small records compress well (a 360-byte event: ~272 bytes alone,
/// ~106 with a dictionary). Older records keep naming the dictionary they were written with.
///
/// Sendable: immutable; it runs on the writer thread, between group commits.
final class DictionaryTrainer: Sendable {
    /// Store sizes (in events) at which a dictionary is trained.
    static let thresholds: [UInt64] = [1_000, 100_000]
    /// How many recent events a dictionary is trained from (at most).
    ///
    /// Measured on the workload (mean event ~370 B): a 16 KiB dictionary from 4,000 samples compresses a record
    /// to ~115 B; 64 KiB from 20,000 samples to ~107 B, and training takes about a second, once per threshold.
    static let sampleCount: UInt64 = 20_000
    /// The largest dictionary trained; zstd wants about 100× its size in samples.
    static let maximumDictionaryBytes = 64 * 1024
    private let databases: LedgerDatabases
    private let dictionaries: DictionaryCache

    init(databases: LedgerDatabases, dictionaries: DictionaryCache) {
        self.databases = databases
        self.dictionaries = dictionaries
    }

    /// Recent canonical bodies to train from, and the head they were read at.
    struct Samples: Sendable {
        let bodies: [[UInt8]]
        let totalBytes: Int
        let headPosition: UInt64
    }

    /// Trains a dictionary from `samples` (seconds of work: done outside any transaction).
    func train(_ samples: Samples) throws -> ZstdDictionary {
        let bytes = try ZstdDictionary.train(
            samples: samples.bodies,
            capacity: min(DictionaryTrainer.maximumDictionaryBytes, max(1024, samples.totalBytes / 40)))
        return try ZstdDictionary(bytes: bytes)
    }

    /// Stores `dictionary` and makes it the one new records use.
    func install(_ dictionary: ZstdDictionary, samples: Samples, in transaction: LedgerWriteTransaction)
        throws
    {
        try dictionaries.install(dictionary, in: transaction.transaction)
        try transaction.put(
            samples.headPosition.bigEndianBytes, at: MetaKey.dictionaryTrainedAt.bytes, in: databases.meta)
    }

    /// The samples to train from when the store crossed a threshold since the last dictionary, else nil.
    func samplesIfDue(in snapshot: LedgerSnapshot) throws -> Samples? {
        let head = try snapshot.head()
        let trainedAt =
            try snapshot.value(in: databases.meta, key: MetaKey.dictionaryTrainedAt.bytes).map {
                UInt64(bigEndianBytes: $0)
            } ?? 0
        guard DictionaryTrainer.thresholds.contains(where: { trainedAt < $0 && head.position >= $0 }) else {
            return nil
        }
        let first =
            head.position > DictionaryTrainer.sampleCount
            ? head.position - DictionaryTrainer.sampleCount + 1 : 1
        var bodies: [[UInt8]] = []
        var total = 0
        for position in first...head.position {
            try snapshot.transaction.withValue(in: databases.events, key: position.bigEndianBytes) { record in
                guard let record else { return }
                let body = try snapshot.codec.withDecoded(
                    record, dictionary: { try dictionaries.dictionary($0, in: snapshot) }
                ) { _, body in Array(body) }
                total += body.count
                bodies.append(body)
            }
        }
        return Samples(bodies: bodies, totalBytes: total, headPosition: head.position)
    }
}
