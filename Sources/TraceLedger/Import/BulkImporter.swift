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
public struct BulkImporter: Sendable {
    public let ledger: Ledger
    public let decoder: EventDecoder

    public init(ledger: Ledger, decoder: EventDecoder = EventDecoder()) {
        self.ledger = ledger
        self.decoder = decoder
    }

    /// Imports the file at `path` (`-` for standard input).
    ///
    /// - Parameters:
    ///   - rejected: called with each rejected line's error (its `line` is set).
    ///   - progress: called after each batch.
    /// - Throws: `LedgerError` for storage failures, and with `strict` when any line was rejected.
    public func importFile(
        at path: String, options: ImportOptions = ImportOptions(), rejected: (LedgerError) -> Void,
        progress: (ImportProgress) -> Void = { _ in }
    ) async throws -> ImportSummary {
        let reader = try LineReader(path: path)
        var summary = ImportSummary()
        var batch: [ProposedEvent] = []
        var batchLines: [Int] = []
        var rejections: [LedgerError] = []
        func report() {
            progress(
                ImportProgress(
                    bytesRead: reader.bytesRead, linesRead: summary.lines, appended: summary.appended,
                    duplicates: summary.duplicates, rejected: summary.rejected))
        }
        var more = true
        while more {
            more = try reader.forEachLineOfNextChunk { line in
                summary.lines += 1
                do throws(LedgerError) {
                    batch.append(try decoder.decode(line.bytes))
                    batchLines.append(line.number)
                } catch {
                    summary.rejected += 1
                    if options.strict { rejections.append(error.at(line: line.number)) } else { rejected(error.at(line: line.number)) }
                }
            }
            if options.strict { continue }
            while batch.count >= options.batchSize || (!more && !batch.isEmpty) {
                let count = min(batch.count, options.batchSize)
                try await appendSkippingConflicts(
                    Array(batch.prefix(count)), lines: Array(batchLines.prefix(count)), into: &summary,
                    rejected: rejected)
                batch.removeFirst(count)
                batchLines.removeFirst(count)
                summary.bytesRead = reader.bytesRead
                report()
            }
            summary.bytesRead = reader.bytesRead
            report()
        }
        if options.strict {
            guard rejections.isEmpty else {
                rejections.forEach(rejected)
                throw LedgerError(
                    .invalidEvent, "\(rejections.count) of \(summary.lines) lines were rejected; with --strict nothing "
                        + "was imported: fix those lines and import again")
            }
            do {
                let outcomes = try await ledger.append(batch)
                summary.appended = outcomes.filter { !$0.isDuplicate }.count
                summary.duplicates = outcomes.count - summary.appended
            } catch var error as LedgerError {
                if let index = error.batchIndex { error.line = batchLines[index] }
                rejected(error)
                summary.rejected += 1
                throw LedgerError(
                    .conflict, "line \(error.line.map(String.init) ?? "?") conflicts with the ledger; with --strict "
                        + "nothing was imported")
            }
        }
        summary.head = try ledger.head()
        return summary
    }

    /// Appends a batch; when one event conflicts, reports it and appends the rest without it.
    private func appendSkippingConflicts(
        _ events: [ProposedEvent], lines: [Int], into summary: inout ImportSummary, rejected: (LedgerError) -> Void
    ) async throws {
        var events = events
        var lines = lines
        while !events.isEmpty {
            do {
                let outcomes = try await ledger.append(events)
                let appended = outcomes.filter { !$0.isDuplicate }.count
                summary.appended += appended
                summary.duplicates += outcomes.count - appended
                return
            } catch let error as LedgerError where error.kind == .conflict && error.batchIndex != nil {
                let index = error.batchIndex!
                rejected(error.at(line: lines[index]))
                summary.rejected += 1
                events.remove(at: index)
                lines.remove(at: index)
            }
        }
    }
}
