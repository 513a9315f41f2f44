import Foundation
import Logging
import TraceLedger

/// TraceLedger itself, through its public API: validated events, hash chain, zstd with a trained dictionary.
final class TraceLedgerStore: BenchStore {
    let name = "TraceLedger"
    let path: String
    let ledger: Ledger

    init(path: String) throws {
        self.path = path
        var logger = Logger(label: "ledger-bench")
        logger.logLevel = .warning
        ledger = try Ledger.create(at: path, logger: logger)
    }

    /// A store already open (`ledger-bench reads`).
    init(opened ledger: Ledger) {
        path = ledger.path
        self.ledger = ledger
    }

    func append(_ batch: [ProposedEvent]) async throws { _ = try await ledger.append(batch) }

    func eventIds(forTrace traceId: String) throws -> [EventID] {
        try ledger.events(forTrace: traceId).map(\.content.eventId)
    }

    func eventIds(forStream stream: StreamKey) throws -> [EventID] {
        try ledger.history(of: stream).map(\.content.eventId)
    }

    func scanAll() throws -> ScanDigest {
        var digest = ScanDigest()
        try ledger.forEachEvent(matching: EventQuery()) { event in
            digest.add(event)
            return true
        }
        return digest
    }

    func count() throws -> Int { Int(try ledger.head().position) }

    func bytesOnDisk() throws -> Int { try directoryBytes(path) }
}
