import Crypto
import Foundation
import HTTPTypes
public import Hummingbird
import JSONKit
import NIOCore
import TraceLedger

/// `POST /v1/events` and `GET /v1/events`.
struct EventRoutes {
    let ledger: Ledger
    let metrics: ServerMetrics
    let decoder = EventDecoder()

    /// One event (object), an atomic batch (array) or NDJSON: 201 with each outcome, 200 when every event was
    /// already in the ledger; nothing of a rejected batch is written.
    func append(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: ServerLimits.maximumBodyBytes)
        let bytes = Array(body.readableBytesView)
        let contentType = request.headers[.contentType]?.lowercased() ?? "application/json"
        let started = ContinuousClock.now
        let batch: DecodedBatch
        let single: Bool
        if contentType.hasPrefix("application/x-ndjson") || contentType.hasPrefix("application/ndjson") {
            batch = bytes.withUnsafeBytes { decoder.decodeBatch($0) }
            single = false
        } else if contentType.hasPrefix("application/json") {
            (batch, single) = try decodeJSON(bytes, request: request)
        } else {
            throw APIError(
                .unsupportedMediaType, kind: "unsupportedMediaType",
                "send application/json (one event or an array) or application/x-ndjson, not \(contentType)")
        }
        if let rejection = batch.firstRejection {
            metrics.rejected(rejection)
            var error = APIError(rejection)
            if single { error.line = nil }  // one object has no lines; an array's "line" is the element's number
            throw error
        }
        return try await Self.appendAndAnswer(
            batch.events, lines: single ? nil : batch.lines, echoLines: contentType.contains("ndjson"),
            ledger: ledger, metrics: metrics, started: started)
    }

    /// Appends `events` as one atomic batch and answers as `POST /v1/events` does (and `POST /v1/cloudevents`):
    /// 201 with each outcome, 200 when every event was already in the ledger.
    ///
    /// - Parameters:
    ///   - lines: each event's line (or element number) in the body, named by an error and, with `echoLines`,
    ///     in each outcome; nil for a single object, answered as one outcome.
    static func appendAndAnswer(
        _ events: [ProposedEvent], lines: [Int]?, echoLines: Bool, ledger: Ledger, metrics: ServerMetrics,
        started: ContinuousClock.Instant
    ) async throws -> Response {
        guard !events.isEmpty else {
            throw APIError(LedgerError(.invalidEvent, "the body holds no events"))
        }
        guard events.count <= ServerLimits.maximumEventsPerRequest else {
            throw APIError(
                LedgerError(
                    .tooLarge,
                    "\(events.count) events in one request; send at most "
                        + "\(ServerLimits.maximumEventsPerRequest) per request"))
        }
        let outcomes: [AppendOutcome]
        do {
            outcomes = try await ledger.append(events)
        } catch var error as LedgerError {
            metrics.rejected(error)
            if let lines, let index = error.batchIndex, lines.indices.contains(index) {
                error.line = lines[index]
            }
            throw APIError(error)
        }
        let elapsed = ContinuousClock.now - started
        metrics.appended(
            events, outcomes: outcomes,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        let status: HTTPResponse.Status = outcomes.allSatisfy(\.isDuplicate) ? .ok : .created
        guard let lines else { return JSONBody.response(status: status, outcomes[0].jsonObject()) }
        let items = zip(lines, outcomes).map { JSONValue.object($1.jsonObject(line: echoLines ? $0 : nil)) }
        return JSONBody.response(status: status, ["events": .array(items)])
    }

    /// An object (one event, with `Idempotency-Key` and `traceparent` filling a missing id and trace) or an
    /// array (an atomic batch).
    private func decodeJSON(_ bytes: [UInt8], request: Request) throws -> (DecodedBatch, single: Bool) {
        let first = bytes.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        if first == UInt8(ascii: "[") {
            return (try bytes.withUnsafeBytes { try decoder.decodeArray($0) }, false)
        }
        let completed = try Self.withHeaderDefaults(bytes, request: request)
        return (completed.withUnsafeBytes { decoder.decodeSingle($0) }, true)
    }

    /// The event's JSON with `eventId` from `Idempotency-Key` and `traceId` from `traceparent` added in front
    /// when the body has none (the payload's bytes are untouched).
    static func withHeaderDefaults(_ bytes: [UInt8], request: Request) throws -> [UInt8] {
        // Most events come without these headers: then there is nothing to parse twice.
        guard
            request.headers[HTTPField.Name("Idempotency-Key")!] != nil
                || request.headers[HTTPField.Name("traceparent")!] != nil
        else { return bytes }
        guard let document = try? JSONParser.parse(bytes), case .object(let object) = document.value,
            let brace = bytes.firstIndex(of: UInt8(ascii: "{"))
        else { return bytes }  // the decoder reports what is wrong with it
        var added: [UInt8] = []
        if object["eventId"] == nil, let key = request.headers[HTTPField.Name("Idempotency-Key")!] {
            let trimmed = key.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
            let id =
                EventID(trimmed)
                ?? EventID.derived(fromText: "idempotency-key:" + trimmed)
            added += Array("\"eventId\":\"\(id)\",".utf8)
        }
        if object["traceId"] == nil, let header = request.headers[HTTPField.Name("traceparent")!] {
            guard let traceId = TraceParent.traceId(header) else {
                throw APIError.badRequest(
                    "traceparent \"\(header)\" is not a W3C trace context (00-<32 hex>-<16 hex>-<2 hex>)")
            }
            added += Array("\"traceId\":\"\(traceId)\",".utf8)
        }
        guard !added.isEmpty else { return bytes }
        var result = Array(bytes[...brace])
        result += added
        // An object with no members: drop the trailing comma.
        let rest = bytes[(brace + 1)...]
        if rest.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) == UInt8(ascii: "}") {
            result.removeLast()
        }
        result += rest
        return result
    }

    /// `GET /v1/events?from&until&domain&type&actor&origin&limit&after`: a page of envelopes in log order and
    /// a `next` link while more may follow.
    func list(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let limit = Int(try request.query("limit", as: UInt64.self) ?? UInt64(ServerLimits.maximumPageSize))
        guard limit >= 1, limit <= ServerLimits.maximumPageSize else {
            throw APIError.badRequest("limit must be 1 to \(ServerLimits.maximumPageSize)")
        }
        var query = EventQuery(
            from: try request.bound("from"), until: try request.bound("until"),
            domains: try request.list("domain").map(Self.domains), types: request.list("type"),
            actor: request.query("actor"), origins: request.list("origin"), limit: limit)
        if let after = try request.query("after", as: UInt64.self) {
            // The cursor moves `from` forward, never back: a time is resolved to its position first.
            let from: UInt64 =
                switch query.from {
                case .position(let position): position
                case .time(let time): try ledger.firstPosition(recordedAtOrAfter: time) ?? .max
                case nil: 1
                }
            query.from = .position(max(from, after + 1))
        }
        let events = try ledger.events(matching: query)
        var after: JSONObject = [:]
        if events.count == limit, let last = events.last {
            var components = URLComponents()
            components.path = "/v1/events"
            components.queryItems =
                request.uri.queryParameters.filter { $0.key != "after" }.map {
                    URLQueryItem(name: String($0.key), value: String($0.value))
                } + [URLQueryItem(name: "after", value: String(last.position))]
            after["next"] = .string(components.string ?? "")
        } else {
            after["next"] = .null
        }
        return JSONBody.response(bytes: JSONBody.events(events, after: after))
    }

    /// `GET /v1/events/{position}/raw`: the body the event's delivery arrived with, byte-exact (the evidence of
    /// what a provider sent).
    func raw(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let position = try Request.position(try context.parameter("position"), named: "position")
        guard let body = try ledger.evidence(ofEventAt: position) else {
            throw APIError.notFound(
                "the event at position \(position) was not received from a webhook or backfill: it has no raw body"
            )
        }
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func domains(_ names: Set<String>) throws -> Set<Domain> {
        Set(
            try names.map { name in
                guard let domain = Domain(rawValue: name) else {
                    throw APIError.badRequest(
                        "unknown domain \"\(name)\"; the domains are \(Domain.allCases.map(\.rawValue).joined(separator: ", "))"
                    )
                }
                return domain
            })
    }
}
