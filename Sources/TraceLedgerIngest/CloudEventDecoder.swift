import Foundation
import JSONKit
public import TraceLedger

/// CloudEvents 1.0 over HTTP (structured, batch and binary modes) → ledger events: `POST /v1/cloudevents`.
///
/// `id` and `source` derive the event id (together they name one occurrence), `source` the origin,
/// `subject` the entity, `type` the ledger type (`order.accepted`), `time` the occurrence, `data` the
/// payload (kept byte-exact in structured mode), the `traceparent` (or `traceid`) extension the trace, and an `actor`
/// extension the actor (else `service:<origin>`). Each is checked like any other event.
public struct CloudEventDecoder: Sendable {
    private let builder = EnvelopeBuilder(decoder: EventDecoder())

    public init() {}

    /// Structured mode: `application/cloudevents+json`, one event.
    ///
    /// - Throws: `LedgerError` `.invalidEvent` naming the attribute that is missing or wrong.
    public func structured(_ body: [UInt8]) throws(LedgerError) -> ProposedEvent {
        let document = try Self.parse(body)
        guard case .object(let object) = document.value else {
            throw LedgerError(.invalidEvent, "a structured CloudEvent is a JSON object", rule: "type")
        }
        let data = document.byteRange(ofMember: "data").map { Array(body[$0]) }
        return try event(
            attribute: { object[$0]?.stringValue ?? object[$0]?.numberValue?.literal }, data: data,
            dataValue: object["data"], hasBase64: object["data_base64"] != nil)
    }

    /// Batch mode: `application/cloudevents-batch+json`, a JSON array of structured events appended as one
    /// atomic batch.
    ///
    /// - Throws: `LedgerError` with `line` (the element's 1-based index) for the first element refused.
    public func batch(_ body: [UInt8]) throws(LedgerError) -> [ProposedEvent] {
        let document = try Self.parse(body)
        guard case .array = document.value else {
            throw LedgerError(.invalidEvent, "a CloudEvents batch is a JSON array of events", rule: "type")
        }
        var events: [ProposedEvent] = []
        for (index, range) in document.elementByteRanges.enumerated() {
            do {
                events.append(try structured(Array(body[range])))
            } catch {
                throw LedgerError(
                    error.kind, error.message, line: index + 1, field: error.field, rule: error.rule)
            }
        }
        guard !events.isEmpty else { throw LedgerError(.invalidEvent, "the batch holds no events") }
        return events
    }

    /// Binary mode: the attributes in `ce-*` headers (names case-insensitive), the body is `data`.
    ///
    /// - Parameter header: the value of a request header by its lowercase name, or nil.
    public func binary(header: (String) -> String?, body: [UInt8]) throws(LedgerError) -> ProposedEvent {
        let contentType = header("content-type")?.lowercased() ?? "application/json"
        guard contentType.hasPrefix("application/json") || contentType.contains("+json") else {
            throw LedgerError(
                .invalidEvent, "Content-Type \(contentType) is not JSON; the ledger records JSON payloads",
                field: "datacontenttype", rule: "enum")
        }
        let value = try Self.parse(body).value
        return try event(
            attribute: { name in
                switch name {
                case "datacontenttype": contentType
                case "traceparent": header("ce-traceparent") ?? header("traceparent")
                default: header("ce-" + name)
                }
            }, data: body, dataValue: value, hasBase64: false)
    }

    private func event(
        attribute: (String) -> String?, data: [UInt8]?, dataValue: JSONValue?, hasBase64: Bool
    ) throws(LedgerError) -> ProposedEvent {
        func required(_ name: String, _ why: String) throws(LedgerError) -> String {
            guard let value = attribute(name), !value.isEmpty else {
                throw LedgerError(
                    .invalidEvent, "the CloudEvent has no \(name): \(why)", field: name, rule: "required")
            }
            return value
        }
        let version = try required("specversion", "this endpoint takes CloudEvents 1.0")
        guard version == "1.0" else {
            throw LedgerError(
                .invalidEvent, "specversion \(version) is not supported; send CloudEvents 1.0",
                field: "specversion",
                rule: "enum")
        }
        let id = try required("id", "it names the occurrence, with source")
        let source = try required("source", "it names the system the event came from")
        let type = try required("type", "it must be a ledger event type such as order.accepted")
        let subject = try required("subject", "it is the entity the event is about, such as the order id")
        let time = try required("time", "it is when the change happened (RFC 3339)")
        if let contentType = attribute("datacontenttype")?.lowercased(),
            !(contentType.hasPrefix("application/json") || contentType.contains("+json"))
        {
            throw LedgerError(
                .invalidEvent, "datacontenttype \(contentType) is not JSON; the ledger records JSON payloads",
                field: "datacontenttype", rule: "enum")
        }
        guard !hasBase64 else {
            throw LedgerError(
                .invalidEvent, "data_base64 is not accepted: send the payload as a JSON object in data",
                field: "data_base64", rule: "type")
        }
        guard let data, case .object? = dataValue else {
            throw LedgerError(
                .invalidEvent, "data must be a JSON object: the event's payload", field: "data", rule: "type")
        }
        // The W3C trace of the distributed-tracing extension, else the ledger's own `traceid` extension (what
        // `replay --format cloudevents` sends for trace ids that are not W3C ones).
        var traceId = attribute("traceid")
        if let header = attribute("traceparent") {
            guard let trace = TraceParent.traceId(header) else {
                throw LedgerError(
                    .invalidEvent, "traceparent \"\(header)\" is not a W3C trace context",
                    field: "traceparent",
                    rule: "format")
            }
            traceId = trace
        }
        let origin = Self.origin(of: source)
        do {
            return try builder.event(
                .init(
                    eventId: EventID.derived(fromText: "cloudevents\u{0}\(source)\u{0}\(id)"),
                    traceId: traceId,
                    type: type, entityId: subject, origin: origin,
                    actor: attribute("actor") ?? "service:" + origin,
                    occurredAt: time),
                payload: data)
        } catch {
            // Name the CloudEvents attribute rather than the envelope field it became.
            let names = ["entityId": "subject", "occurredAt": "time", "origin": "source", "payload": "data"]
            let field = error.field.map { field in
                names.first { field == $0.key || field.hasPrefix($0.key + ".") }.map {
                    $0.value + field.dropFirst($0.key.count)
                } ?? field
            }
            throw LedgerError(error.kind, error.message, field: field, rule: error.rule)
        }
    }

    /// The origin a source names: itself when it already is an origin (`erp`), else its URI's host
    /// (`https://erp.example.com/orders` → `erp.example.com`), else its text lowercased with other characters
    /// as `-` (`/sensors/tn-1234567` → `sensors-tn-1234567`).
    static func origin(of source: String) -> String {
        func isOriginCharacter(_ character: Character) -> Bool {
            character.isASCII && (character.isLowercase || character.isNumber || "._-".contains(character))
        }
        func isOrigin(_ text: some StringProtocol) -> Bool {
            guard let first = text.first, text.count <= 64 else { return false }
            return (first.isASCII && (first.isLowercase || first.isNumber))
                && text.allSatisfy(isOriginCharacter)
        }
        if isOrigin(source) { return source }
        if let scheme = source.range(of: "://") {
            let host = source[scheme.upperBound...].prefix { $0 != "/" && $0 != ":" && $0 != "?" }
                .lowercased()
            if isOrigin(host) { return host }
        }
        let replaced = String(source.lowercased().map { isOriginCharacter($0) ? $0 : "-" })
        let trimmed = replaced.drop { !($0.isLowercase || $0.isNumber) }.prefix(64)
        return trimmed.isEmpty ? "cloudevents" : String(trimmed)
    }

    private static func parse(_ body: [UInt8]) throws(LedgerError) -> JSONDocument {
        do {
            return try body.withUnsafeBytes { try JSONParser.parse($0) }
        } catch {
            throw LedgerError(.invalidEvent, "malformed JSON: \(error)", rule: "json")
        }
    }
}
