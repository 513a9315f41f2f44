import Crypto
import JSONKit

/// Turns one JSON event envelope (an NDJSON line) into a validated `ProposedEvent`.
///
/// Checks, in order: size, JSON syntax (strict UTF-8, no duplicate keys), the envelope schema, that the type
/// has a schema and belongs to its domain, and the payload against the type's schema. Every rejection is a
/// `LedgerError` of kind `.invalidEvent` naming the field and the rule; the payload's bytes are kept exactly
/// as received.
public struct EventDecoder: Sendable {
    public let schemas: EventSchemas

    public init(schemas: EventSchemas = .builtIn) { self.schemas = schemas }

    /// Decodes one event from its JSON text.
    public func decode(_ text: String) throws(LedgerError) -> ProposedEvent {
        let bytes = Array(text.utf8)
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(LedgerError) in try decode(buffer) }
        }
        return try result.get()
    }

    /// Decodes one event from the UTF-8 bytes of its JSON.
    public func decode(_ bytes: UnsafeRawBufferPointer) throws(LedgerError) -> ProposedEvent {
        guard bytes.count <= EventLimits.maximumLineBytes else {
            throw LedgerError(
                .tooLarge,
                "the event is longer than the limit of \(EventLimits.maximumLineBytes) bytes",
                rule: "maxEventBytes")
        }
        let document: JSONDocument
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            throw LedgerError(.invalidEvent, "malformed JSON: \(error)", rule: "json")
        }
        guard case .object(let envelope) = document.value else {
            throw LedgerError(.invalidEvent, "an event must be a JSON object", rule: "type")
        }
        try check(document.value, against: schemas.envelope, prefix: "")
        let type = envelope["type"]?.stringValue ?? ""
        let domainName = envelope["domain"]?.stringValue ?? ""
        guard let domain = Domain(rawValue: domainName) else {
            throw LedgerError(
                .invalidEvent, "unknown domain \"\(domainName)\"", field: "domain", rule: "enum")
        }
        guard let payloadSchema = schemas.payloads[type] else {
            let known = schemas.types(of: domain).joined(separator: ", ")
            throw LedgerError(
                .invalidEvent, "unknown event type \"\(type)\"; the \(domain.rawValue) types are: \(known)",
                field: "type", rule: "schema")
        }
        guard type.hasPrefix(domain.rawValue + ".") else {
            throw LedgerError(
                .invalidEvent, "type \"\(type)\" does not belong to domain \"\(domain.rawValue)\"",
                field: "type",
                rule: "domain")
        }
        guard let payloadRange = document.byteRange(ofMember: "payload"), let payload = envelope["payload"]
        else {
            throw LedgerError(
                .invalidEvent, "missing required field \"payload\"", field: "payload", rule: "required")
        }
        guard payloadRange.count <= EventLimits.maximumPayloadBytes else {
            throw LedgerError(
                .tooLarge,
                "the payload is \(payloadRange.count) bytes, over the limit of "
                    + "\(EventLimits.maximumPayloadBytes)", field: "payload", rule: "maxPayloadBytes")
        }
        try check(payload, against: payloadSchema, prefix: "payload")
        var payloadBytes = Array(UnsafeRawBufferPointer(rebasing: bytes[payloadRange]))
        // A pretty-printed payload (one object posted over HTTP) keeps every byte but its line breaks, which
        // become spaces: outside strings they are only whitespace (inside, JSON forbids them raw), and every
        // envelope must stay one NDJSON line for `--json`, file sinks and replays.
        if payloadBytes.contains(where: { $0 == 0x0A || $0 == 0x0D }) {
            for index in payloadBytes.indices where payloadBytes[index] == 0x0A || payloadBytes[index] == 0x0D
            {
                payloadBytes[index] = 0x20
            }
        }
        return try proposedEvent(
            envelope, domain: domain, type: type, payload: payloadBytes,
            orderReferences: OrderReferences(
                domain: domain, entityId: envelope["entityId"]?.stringValue ?? "", payload: payload))
    }

    private func check(_ value: JSONValue, against schema: JSONSchema, prefix: String) throws(LedgerError) {
        // Valid events are the common case: answer yes/no without building paths or messages, and collect
        // the violations (a second, slower pass) only for an event that is rejected anyway.
        if schema.isValid(value) { return }
        let violations = schema.validate(value)
        guard let first = violations.first else { return }
        let path = first.pathDescription
        let field =
            prefix.isEmpty
            ? path : (path.isEmpty ? prefix : (path.hasPrefix("[") ? prefix + path : "\(prefix).\(path)"))
        var message = first.message
        if violations.count > 1 { message += " (and \(violations.count - 1) more problems)" }
        throw LedgerError(.invalidEvent, message, field: field, rule: first.keyword)
    }

    private func proposedEvent(
        _ envelope: JSONObject, domain: Domain, type: String, payload: [UInt8],
        orderReferences: OrderReferences
    )
        throws(LedgerError)
        -> ProposedEvent
    {
        func text(_ key: String) -> String? { envelope[key]?.stringValue }
        func eventID(_ key: String) throws(LedgerError) -> EventID? {
            guard let value = text(key) else { return nil }
            guard let id = EventID(value) else {
                throw LedgerError(.invalidEvent, "\"\(value)\" is not a UUID", field: key, rule: "format")
            }
            return id
        }
        let occurredText = text("occurredAt") ?? ""
        guard let occurredAt = Timestamp(rfc3339: occurredText) else {
            throw LedgerError(
                .invalidEvent,
                RFC3339.whyRefused(occurredText)
                    ?? "\"\(occurredText)\" is not an RFC 3339 date-time such as 2026-11-02T09:15:03.123Z",
                field: "occurredAt", rule: "format")
        }
        for key in ["entityId", "actor", "origin", "correlationId", "traceId"] {
            guard let value = text(key), let unsafe = DisplaySafety.firstUnsafe(in: value) else { continue }
            throw LedgerError(
                .invalidEvent,
                "holds the control or bidirectional character U+\(String(unsafe.value, radix: 16, uppercase: true)); "
                    + "identifiers are printed for people and may not hold characters that rewrite a terminal",
                field: key, rule: "controlCharacters")
        }
        for key in ["entityId", "actor"] where (text(key)?.utf8.count ?? 0) > EventLimits.maximumKeyFieldBytes
        {
            throw LedgerError(
                .invalidEvent, "longer than \(EventLimits.maximumKeyFieldBytes) bytes of UTF-8", field: key,
                rule: "maxBytes")
        }
        var expectedVersion: UInt64?
        if let number = envelope["expectedVersion"]?.numberValue {
            guard let value = number.int64Value, value >= 0 else {
                throw LedgerError(
                    .invalidEvent, "must be a whole number from 0, got \(number.literal)",
                    field: "expectedVersion",
                    rule: "minimum")
            }
            expectedVersion = UInt64(value)
        }
        var content = EventContent(
            eventId: EventID(high: 0, low: 0), traceId: text("traceId") ?? "",
            correlationId: text("correlationId"),
            causationId: try eventID("causationId"), domain: domain, entityId: text("entityId") ?? "",
            type: type,
            origin: text("origin") ?? "", actor: text("actor") ?? "", occurredAt: occurredAt, payload: payload
        )
        if let given = try eventID("eventId") {
            content.eventId = given
        } else {
            let digest = SHA256.hash(data: CanonicalBody.encode(content, streamVersion: 0))
            content.eventId = EventID.derived(fromDigest: digest)
        }
        return ProposedEvent(
            content: content, expectedVersion: expectedVersion, orderReferences: orderReferences)
    }
}
