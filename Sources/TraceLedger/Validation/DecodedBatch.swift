import JSONKit

/// The events decoded from NDJSON, with the line each came from, and the lines rejected (each error's `line`
/// is set). One form for every caller: `append`, `import`, the server's NDJSON bodies and the tests.
///
/// Sendable: plain values.
public struct DecodedBatch: Sendable {
    /// The valid events, in input order.
    public private(set) var events: [ProposedEvent] = []
    /// `lines[i]` is the 1-based line `events[i]` came from.
    public private(set) var lines: [Int] = []
    /// The rejected lines' errors, in line order.
    public private(set) var rejections: [LedgerError] = []

    public init() {}

    /// Non-blank lines read: events and rejections.
    public var lineCount: Int { events.count + rejections.count }

    mutating func add(_ result: Result<ProposedEvent, LedgerError>, line: Int) {
        switch result {
        case .success(let event):
            events.append(event)
            lines.append(line)
        case .failure(let error):
            rejections.append(error.at(line: line))
        }
    }

    /// Appends another batch decoded from later lines.
    mutating func append(contentsOf other: DecodedBatch) {
        events += other.events
        lines += other.lines
        rejections += other.rejections
    }

    /// The events as one atomic batch: all of them, or an error naming the first rejected line.
    ///
    /// - Throws: `LedgerError` `.invalidEvent` when any line was rejected (the first one's error, with how many
    ///   there were) or the input held no event.
    public func get() throws(LedgerError) -> [ProposedEvent] {
        if let firstRejection { throw firstRejection }
        guard !events.isEmpty else { throw LedgerError(.invalidEvent, "the input holds no events") }
        return events
    }

    /// The first rejected line's error, saying how many more there were; nil when every line decoded.
    public var firstRejection: LedgerError? {
        guard var first = rejections.first else { return nil }
        if rejections.count > 1 {
            first = LedgerError(
                first.kind, first.message + " (and \(rejections.count - 1) more rejected lines)",
                line: first.line,
                field: first.field, rule: first.rule)
        }
        return first
    }

    /// The line of the event at `batchIndex` (an append error's), or nil.
    public func line(ofEventAt batchIndex: Int?) -> Int? {
        batchIndex.flatMap { lines.indices.contains($0) ? lines[$0] : nil }
    }
}

extension EventDecoder {
    /// Decodes NDJSON bytes: every non-blank line is an event or a rejection with its line number.
    public func decodeBatch(_ ndjson: UnsafeRawBufferPointer, firstLineNumber: Int = 1) -> DecodedBatch {
        decodeBatch(lines: NDJSONLines(ndjson, firstLineNumber: firstLineNumber))
    }

    /// Decodes NDJSON text; see `decodeBatch(_:firstLineNumber:)`.
    public func decodeBatch(_ ndjson: String) -> DecodedBatch {
        var text = ndjson
        return text.withUTF8 { decodeBatch(UnsafeRawBufferPointer($0)) }
    }

    /// Decodes lines already split (by `NDJSONLines`).
    public func decodeBatch(lines: some Sequence<NDJSONLines.Line>) -> DecodedBatch {
        var batch = DecodedBatch()
        for line in lines {
            batch.add(Result { () throws(LedgerError) in try decode(line.bytes) }, line: line.number)
        }
        return batch
    }
}

extension EventDecoder {
    /// Decodes a JSON array of events; each element's "line" in the batch is its 1-based index in the array.
    ///
    /// - Throws: `LedgerError` `.invalidEvent` (rule `json`) when the text is not a JSON array.
    public func decodeArray(_ json: UnsafeRawBufferPointer) throws(LedgerError) -> DecodedBatch {
        let document: JSONDocument
        do {
            document = try JSONParser.parse(json)
        } catch {
            throw LedgerError(.invalidEvent, "malformed JSON: \(error)", rule: "json")
        }
        guard case .array = document.value else {
            throw LedgerError(.invalidEvent, "expected a JSON array of events", rule: "type")
        }
        var batch = DecodedBatch()
        for (index, range) in document.elementByteRanges.enumerated() {
            let element = UnsafeRawBufferPointer(rebasing: json[range])
            batch.add(Result { () throws(LedgerError) in try decode(element) }, line: index + 1)
        }
        return batch
    }
}

extension EventDecoder {
    /// Decodes one event (a JSON object, newlines allowed) as a batch of one.
    public func decodeSingle(_ json: UnsafeRawBufferPointer) -> DecodedBatch {
        var batch = DecodedBatch()
        batch.add(Result { () throws(LedgerError) in try decode(json) }, line: 1)
        return batch
    }
}
