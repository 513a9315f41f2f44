import TraceLedger

/// One store under test. Every store receives the same decoded events in the same batches, keeps the same
/// indexes (event id, trace, stream, actor) and commits durably (fsync) before `append` returns.
///
/// Not Sendable: each store is driven by the benchmark's one task; only TraceLedger appends concurrently,
/// through its own Sendable `Ledger`.
protocol BenchStore: AnyObject {
    /// The column name in the results table.
    var name: String { get }
    /// The directory or file the store lives in.
    var path: String { get }
    /// Appends `batch` in one durable transaction.
    func append(_ batch: [ProposedEvent]) async throws
    /// The event ids of a whole trace, in log order, after reading and decoding every event of it.
    func eventIds(forTrace traceId: String) throws -> [EventID]
    /// The event ids of one entity's history, in log order, after decoding every event of it.
    func eventIds(forStream stream: StreamKey) throws -> [EventID]
    /// Reads and decodes every event in log order, adding each to the digest it returns.
    func scanAll() throws -> ScanDigest
    /// How many events the store holds.
    func count() throws -> Int
    /// Bytes the store takes on disk (every file of it, after a checkpoint where the store has one).
    func bytesOnDisk() throws -> Int
}

/// The fields every store returns for an event it reads back, so lookups in each store do equal work:
/// the envelope's strings, the times and the payload bytes.
struct DecodedEvent {
    var position: UInt64
    var eventId: EventID
    var traceId: String
    var domain: String
    var entityId: String
    var type: String
    var origin: String
    var actor: String
    var occurredAt: Int64
    var recordedAt: Int64
    var payload: [UInt8]
}
