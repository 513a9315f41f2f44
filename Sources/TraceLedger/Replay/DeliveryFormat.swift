/// How a replay writes each event (`--format`).
public enum DeliveryFormat: String, Sendable, CaseIterable {
    /// The ledger's envelope (`envelopeJSON()`): NDJSON lines, a JSON object or array per request.
    case envelope
    /// CloudEvents 1.0, structured: `application/cloudevents+json`, a batch as
    /// `application/cloudevents-batch+json`.
    case cloudEvents = "cloudevents"
    /// CloudEvents 1.0, binary (HTTP only): `ce-*` headers, the payload as the body, one event per request.
    case cloudEventsBinary = "cloudevents-binary"

    /// Appends one event as this format's JSON (the line of a file or stdout sink, an element of a batch).
    public func appendJSON(of event: RecordedEvent, to out: inout [UInt8]) {
        switch self {
        case .envelope: event.appendEnvelopeJSON(to: &out)
        case .cloudEvents, .cloudEventsBinary: event.appendCloudEventJSON(to: &out)
        }
    }
}
