import Foundation

/// How a bulk import runs.
public struct ImportOptions: Sendable {
    /// Events per atomic batch (each batch is one durable commit, or shares one with concurrent appenders).
    public var batchSize = 1000
    /// All or nothing: any invalid or conflicting line rejects the whole input and nothing is written.
    public var strict = false

    public init(batchSize: Int = 1000, strict: Bool = false) {
        self.batchSize = batchSize
        self.strict = strict
    }
}

/// Where a bulk import stands, for progress bars.
public struct ImportProgress: Sendable {
    public let bytesRead: Int
    public let linesRead: Int
    public let appended: Int
    public let duplicates: Int
    public let rejected: Int
}

/// What a bulk import did.
public struct ImportSummary: Sendable {
    /// Non-blank lines read.
    public var lines = 0
    /// Events newly appended.
    public var appended = 0
    /// Events already in the ledger (identical), not written again.
    public var duplicates = 0
    /// Lines rejected (invalid or conflicting), each reported through the `rejected` callback.
    public var rejected = 0
    public var bytesRead = 0
    /// The ledger's head after the import.
    public var head = ChainHead.empty
}

/// Imports NDJSON files in batches: every valid event is appended, every invalid line is reported with its
/// line number and skipped (or, with `strict`, rejects everything). Re-importing a file appends nothing.
///
/// The input is read in chunks of a few MiB. The lines of a chunk are decoded on every core at once, and
/// while the writer commits one chunk's batches the next chunk is being decoded: decoding, not the durable
/// commit, is what limits an import. A chunk's batches are queued together, so the writer's group commit puts
/// several in one fsync while each stays atomic. Every batch but the last holds exactly `batchSize` events
/// (events left over at a chunk's end wait for the next chunk), and rejected lines are reported in line order.
public struct BulkImporter: Sendable {
    public let ledger: Ledger
    public let decoder: EventDecoder

    public init(ledger: Ledger, decoder: EventDecoder = EventDecoder()) {
        self.ledger = ledger
        self.decoder = decoder
    }

    /// What appending one chunk's batches did.
    private struct ChunkOutcome: Sendable {
        var appended = 0
        var duplicates = 0
        var conflicts: [LedgerError] = []
    }

    /// Imports the file at `path` (`-` for standard input).
    ///
    /// - Parameters:
    ///   - rejected: called with each rejected line's error (its `line` is set).
    ///   - progress: called after each chunk of the input.
    /// - Throws: `LedgerError` for storage failures, and with `strict` when any line was rejected.
    public func importFile(
        at path: String, options: ImportOptions = ImportOptions(), rejected: (LedgerError) -> Void,
        progress: (ImportProgress) -> Void = { _ in }
    ) async throws -> ImportSummary {
        let reader = try LineReader(path: path)
        let parallel = ParallelDecoder(
            decoder: decoder, workers: max(1, min(8, ProcessInfo.processInfo.activeProcessorCount)))
        var summary = ImportSummary()
        // With --strict everything is kept for one atomic append at the end.
        var strictEvents: [ProposedEvent] = []
        var strictLines: [Int] = []
        var strictRejections: [LedgerError] = []
        // The append of the previous chunk, running while this one is decoded, and that chunk's decode rejections,
        // reported together with its conflicts once it is done so that reports stay in line order.
        var inFlight: Task<ChunkOutcome, any Error>?
        var inFlightRejections: [LedgerError] = []
        func settle() async throws {
            guard let task = inFlight else { return }
            inFlight = nil
            let outcome = try await task.value
            summary.appended += outcome.appended
            summary.duplicates += outcome.duplicates
            summary.rejected += outcome.conflicts.count
            let all = (inFlightRejections + outcome.conflicts).sorted { ($0.line ?? 0) < ($1.line ?? 0) }
            inFlightRejections = []
            all.forEach(rejected)
            progress(
                ImportProgress(
                    bytesRead: summary.bytesRead, linesRead: summary.lines, appended: summary.appended,
                    duplicates: summary.duplicates, rejected: summary.rejected))
        }
        // Events decoded but not yet in a full batch, and the decode rejections that come after the first of them.
        var events: [ProposedEvent] = []
        var lines: [Int] = []
        var decodeRejections: [LedgerError] = []
        do {
            var more = true
            while more {
                more = try reader.withLinesOfNextChunk { chunk in
                    let batch = parallel.decode(chunk)
                    summary.lines += batch.lineCount
                    events += batch.events
                    lines += batch.lines
                    decodeRejections += batch.rejections
                }
                summary.bytesRead = reader.bytesRead
                if options.strict {
                    strictEvents += events
                    strictLines += lines
                    strictRejections += decodeRejections
                    summary.rejected += decodeRejections.count
                    (events, lines, decodeRejections) = ([], [], [])
                    continue
                }
                let batchSize = options.batchSize
                let ready = more ? events.count / batchSize * batchSize : events.count
                let batchEvents = Array(events[..<ready])
                let batchLines = Array(lines[..<ready])
                events.removeFirst(ready)
                lines.removeFirst(ready)
                // Rejections after the first left-over event are reported with the left-overs' batch.
                let firstLeftOver = lines.first ?? Int.max
                let reportNow = decodeRejections.filter { ($0.line ?? 0) < firstLeftOver }
                decodeRejections.removeAll { ($0.line ?? 0) < firstLeftOver }
                try await settle()
                summary.rejected += reportNow.count
                inFlightRejections = reportNow
                inFlight = Task { [ledger] in
                    try await Self.appendChunk(
                        batchEvents, lines: batchLines, batchSize: batchSize, to: ledger)
                }
            }
            try await settle()
        } catch {
            // Never leave an append running behind a failed import: wait for it, then report the failure.
            if let task = inFlight { _ = await task.result }
            guard let failure = error as? LedgerError,
                failure.kind == .unavailable || failure.kind == .storage
            else { throw error }
            let head: ChainHead
            do { head = try ledger.head() } catch { throw failure }  // the first failure is the one to report
            // Say how far it got: what is in stays in, and importing the file again appends only the rest.
            throw LedgerError(
                failure.kind,
                "\(failure.message); \(summary.appended) events of this import were committed before it "
                    + "(the ledger ends at position \(head.position)); fix the cause and import the file again: "
                    + "nothing is appended twice", underlying: failure)
        }
        if options.strict {
            guard strictRejections.isEmpty else {
                strictRejections.forEach(rejected)
                throw LedgerError(
                    .invalidEvent,
                    "\(strictRejections.count) of \(summary.lines) lines were rejected; with --strict "
                        + "nothing was imported: fix those lines and import again")
            }
            do {
                let outcomes = try await ledger.append(strictEvents)
                summary.appended = outcomes.filter { !$0.isDuplicate }.count
                summary.duplicates = outcomes.count - summary.appended
            } catch var error as LedgerError {
                if let index = error.batchIndex { error.line = strictLines[index] }
                rejected(error)
                summary.rejected += 1
                throw LedgerError(
                    .conflict,
                    "line \(error.line.map(String.init) ?? "?") conflicts with the ledger; with --strict "
                        + "nothing was imported")
            }
            progress(
                ImportProgress(
                    bytesRead: summary.bytesRead, linesRead: summary.lines, appended: summary.appended,
                    duplicates: summary.duplicates, rejected: summary.rejected))
        }
        summary.head = try ledger.head()
        return summary
    }

    /// Appends a chunk's events as batches of `batchSize`, queued together so the writer commits several per
    /// fsync; a batch with a conflicting event is appended again without it, after the chunk's other batches.
    private static func appendChunk(
        _ events: [ProposedEvent], lines: [Int], batchSize: Int, to ledger: Ledger
    )
        async throws -> ChunkOutcome
    {
        let starts = Array(stride(from: 0, to: events.count, by: batchSize))
        let batches = starts.map { Array(events[$0..<min(events.count, $0 + batchSize)]) }
        var outcome = ChunkOutcome()
        for (start, result) in zip(starts, await ledger.append(batches: batches)) {
            switch result {
            case .success(let outcomes):
                let appended = outcomes.filter { !$0.isDuplicate }.count
                outcome.appended += appended
                outcome.duplicates += outcomes.count - appended
            case .failure(let error as LedgerError) where error.kind == .conflict && error.batchIndex != nil:
                let end = min(events.count, start + batchSize)
                try await appendSkippingConflicts(
                    Array(events[start..<end]), lines: Array(lines[start..<end]), to: ledger, into: &outcome)
            case .failure(let error):
                throw error
            }
        }
        return outcome
    }

    /// Appends a batch; when one event conflicts, records it and appends the rest without it.
    private static func appendSkippingConflicts(
        _ events: [ProposedEvent], lines: [Int], to ledger: Ledger, into outcome: inout ChunkOutcome
    ) async throws {
        var events = events
        var lines = lines
        while !events.isEmpty {
            do {
                let outcomes = try await ledger.append(events)
                let appended = outcomes.filter { !$0.isDuplicate }.count
                outcome.appended += appended
                outcome.duplicates += outcomes.count - appended
                return
            } catch let error as LedgerError where error.kind == .conflict && error.batchIndex != nil {
                let index = error.batchIndex!
                outcome.conflicts.append(error.at(line: lines[index]))
                events.remove(at: index)
                lines.remove(at: index)
            }
        }
    }
}
