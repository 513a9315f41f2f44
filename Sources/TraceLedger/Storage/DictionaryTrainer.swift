import LMDBKit
import Logging
import ZstdKit

/// Trains the zstd dictionary from the store's own events once there are enough of them, and again when the
/// store has grown a hundredfold, so small records compress well (a 360-byte event: ~272 bytes alone,
/// ~106 with a dictionary). Older records keep naming the dictionary they were written with.
///
/// Not Sendable: runs on the writer thread, between group commits.
final class DictionaryTrainer {
    /// Store sizes (in events) at which a dictionary is trained.
    static let thresholds: [UInt64] = [1_000, 100_000]
    /// How many recent events a dictionary is trained from (at most).
    ///
    /// Measured on the workload (mean event ~370 B): a 16 KiB dictionary from 4,000 samples compresses a record
    /// to ~115 B; 64 KiB from 20,000 samples to ~107 B, and training takes about a second, once per threshold.
    static let sampleCount: UInt64 = 20_000
    /// The largest dictionary trained; zstd wants about 100× its size in samples.
    static let maximumDictionaryBytes = 64 * 1024
    private static let trainedAtKey = Array("dictionary.trainedAt".utf8)

    private let environment: Environment
    private let databases: LedgerDatabases
    private let dictionaries: DictionaryCache

    init(environment: Environment, databases: LedgerDatabases, dictionaries: DictionaryCache) {
        self.environment = environment
        self.databases = databases
        self.dictionaries = dictionaries
    }

    /// Trains and installs a new dictionary when the store crossed a threshold since the last one.
    /// A failed training is logged and retried at the next commit; appends never fail because of it.
    func trainIfDue(codec: RecordCodec, logger: Logger) {
        do {
            guard let samples = try samplesIfDue(codec: codec) else { return }
            let bytes = try ZstdDictionary.train(
                samples: samples.bodies,
                capacity: min(DictionaryTrainer.maximumDictionaryBytes, max(1024, samples.totalBytes / 40)))
            let dictionary = try ZstdDictionary(bytes: bytes)
            try environment.write { transaction in
                try dictionaries.install(dictionary, in: transaction)
                try transaction.put(
                    in: databases.meta, key: DictionaryTrainer.trainedAtKey,
                    value: samples.headPosition.bigEndianBytes)
            }
            logger.info(
                "trained a zstd dictionary",
                metadata: [
                    "id": "\(dictionary.id)", "bytes": "\(bytes.count)", "events": "\(samples.headPosition)",
                ])
        } catch {
            logger.warning(
                "training a zstd dictionary failed; records stay compressed without it",
                metadata: ["error": "\(error)"])
        }
    }

    private func samplesIfDue(codec: RecordCodec) throws -> (
        bodies: [[UInt8]], totalBytes: Int, headPosition: UInt64
    )? {
        try environment.read { transaction in
            let head = try ChainHead.read(in: transaction, databases: databases)
            let trainedAt = try transaction.withValue(in: databases.meta, key: DictionaryTrainer.trainedAtKey)
            {
                $0.map { UInt64(bigEndianBytes: $0) } ?? 0
            }
            guard DictionaryTrainer.thresholds.contains(where: { trainedAt < $0 && head.position >= $0 })
            else {
                return nil
            }
            let first =
                head.position > DictionaryTrainer.sampleCount
                ? head.position - DictionaryTrainer.sampleCount + 1 : 1
            var bodies: [[UInt8]] = []
            var total = 0
            for position in first...head.position {
                try transaction.withValue(in: databases.events, key: position.bigEndianBytes) { record in
                    guard let record else { return }
                    let body = try codec.decode(record) { try dictionaries.dictionary($0, in: transaction) }
                        .body
                    total += body.count
                    bodies.append(body)
                }
            }
            return (bodies, total, head.position)
        }
    }
}
