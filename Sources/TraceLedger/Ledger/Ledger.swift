import Foundation
import LMDBKit
public import Logging

/// An open TraceLedger store: the append-only event log with its indexes and hash chain.
///
/// Appends go through one writer thread that group-commits; reads run on any thread in their own snapshot.
/// Sendable: every member is Sendable or immutable after opening.
///
/// ```swift
/// let ledger = try Ledger.open(at: "/var/lib/traceledger")
/// let outcomes = try await ledger.append(try EventDecoder.decodeBatch(ndjson))
/// let timeline = try ledger.events(forTrace: "4bf92f3577b34da6a3ce929d0e0e4736")
/// ```
public final class Ledger: Sendable {
    /// The store's directory.
    public let path: String
    let environment: Environment
    let databases: LedgerDatabases
    let dictionaries: DictionaryCache
    let codecs = RecordCodecPool()
    let writer: LedgerWriter

    private init(path: String, environment: Environment, databases: LedgerDatabases, logger: Logger) {
        self.path = path
        self.environment = environment
        self.databases = databases
        self.dictionaries = DictionaryCache(databases: databases)
        self.writer = LedgerWriter(
            environment: environment, databases: databases, dictionaries: dictionaries, logger: logger)
    }

    deinit { writer.stop() }

    /// Creates a new, empty store in the directory at `path` (created if missing, which must otherwise be empty).
    ///
    /// - Throws: `LedgerError` `.notAStore` when `path` holds a store already or other files.
    public static func create(at path: String, logger: Logger = Logger(label: "traceledger")) throws -> Ledger
    {
        let files = FileManager.default
        var isDirectory: ObjCBool = false
        if files.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw LedgerError(
                    .notAStore, "\(path) is a file; a store is a directory: choose another path")
            }
            if files.fileExists(atPath: path + "/data.mdb") {
                throw LedgerError(
                    .notAStore, "a store already exists at \(path); use it, or choose another path")
            }
            guard try files.contentsOfDirectory(atPath: path).isEmpty else {
                throw LedgerError(
                    .notAStore,
                    "\(path) is a directory with other files in it; create the store in an empty or new "
                        + "directory")
            }
        } else {
            do {
                try files.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw LedgerError(
                    .storage, "cannot create the directory \(path): \(error.localizedDescription)")
            }
        }
        let environment = try openEnvironment(at: path)
        let databases = try environment.write { transaction in
            let databases = try LedgerDatabases.open(in: environment, transaction: transaction, create: true)
            try StoreFormat.write(in: transaction, databases: databases)
            try ChainHead.empty.write(in: transaction, databases: databases)
            return databases
        }
        return Ledger(path: path, environment: environment, databases: databases, logger: logger)
    }

    /// Opens the existing store at `path`.
    ///
    /// - Throws: `LedgerError` `.notAStore` when there is no store there, it is not a TraceLedger store, or it
    ///   was written by a newer version.
    public static func open(at path: String, logger: Logger = Logger(label: "traceledger")) throws -> Ledger {
        guard FileManager.default.fileExists(atPath: path + "/data.mdb") else {
            throw LedgerError(
                .notAStore,
                "there is no TraceLedger store at \(path); create one with `traceledger init --store "
                    + "\(path)`, or point --store (or TRACELEDGER_STORE) at an existing one")
        }
        let environment = try openEnvironment(at: path)
        let databases = try environment.write { transaction in
            let databases: LedgerDatabases
            do {
                databases = try LedgerDatabases.open(in: environment, transaction: transaction, create: false)
            } catch let error as LMDBError
                where error.code == LMDBError.notFound || error.code == LMDBError.invalid
            {
                throw LedgerError(
                    .notAStore,
                    "\(path) is an LMDB environment but not a TraceLedger store (it lacks the ledger's "
                        + "databases); point --store at a store or create one with `traceledger init`")
            }
            try StoreFormat.check(in: transaction, databases: databases, path: path)
            return databases
        }
        return Ledger(path: path, environment: environment, databases: databases, logger: logger)
    }

    private static func openEnvironment(at path: String) throws -> Environment {
        do {
            return try Environment(path: path, options: EnvironmentOptions())
        } catch  where error.code == LMDBError.invalid || error.code == LMDBError.versionMismatch {
            throw LedgerError(
                .notAStore, "\(path) holds a data.mdb that is not an LMDB environment this build reads")
        } catch {
            throw LedgerError(.storage, "cannot open the store at \(path): \(error)")
        }
    }

    /// Appends `events` as one atomic batch: all of them are durably committed, or none is.
    ///
    /// Events whose id is already in the ledger with identical content are not written again: their outcome
    /// has `isDuplicate` and the original position.
    /// - Throws: `LedgerError` `.conflict` (with `batchIndex`) for an id reused with other content or a stream
    ///   not at `expectedVersion`; `.storage` when the disk or map is full. Nothing is written then.
    public func append(_ events: [ProposedEvent]) async throws -> [AppendOutcome] {
        try await writer.append(events)
    }

    /// Appends one event; see `append(_:)` for batches.
    public func append(_ event: ProposedEvent) async throws -> AppendOutcome {
        try await writer.append([event])[0]
    }

    /// Runs `body` in a read snapshot with a codec to decode records.
    func read<Result>(_ body: (Transaction, RecordCodec) throws -> Result) throws -> Result {
        do {
            return try codecs.withCodec { codec in try environment.read { try body($0, codec) } }
        } catch {
            throw LedgerError.wrapping(error, doing: "reading the store at \(path)")
        }
    }

    /// Decodes a record read in `transaction`.
    func decode(
        _ record: UnsafeRawBufferPointer, position: UInt64, transaction: Transaction, codec: RecordCodec
    ) throws -> RecordedEvent {
        try LedgerReader.decode(
            record, position: position, transaction: transaction, codec: codec, dictionaries: dictionaries)
    }
}
