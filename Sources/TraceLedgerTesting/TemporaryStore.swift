import Foundation
public import TraceLedger

/// A new, empty ledger in its own temporary directory, for one test.
public final class TemporaryStore: Sendable {
    public let directory: TemporaryDirectory
    public let ledger: Ledger

    /// The store's path (a directory inside `directory`).
    public var path: String { ledger.path }

    public init(_ purpose: String = "store") throws {
        directory = TemporaryDirectory(purpose)
        ledger = try Ledger.create(at: directory.file("ledger.db"))
    }
}

extension Ledger {
    /// Decodes and appends NDJSON text as one batch (tests and tools).
    public func append(ndjson text: String, decoder: EventDecoder = EventDecoder()) async throws
        -> [AppendOutcome]
    {
        try await append(decoder.decodeBatch(text).get())
    }
}
