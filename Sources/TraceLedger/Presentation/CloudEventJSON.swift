import JSONKit

/// The event as a CloudEvent 1.0 (https://github.com/cloudevents/spec), for downstreams that speak
/// CloudEvents: `replay --format cloudevents` sends the structured JSON form, `cloudevents-binary` the
/// attributes as `ce-*` headers with the payload as the body.
///
/// Attributes: `id` the ledger event id, `source` the origin, `type`, `subject` the entity id, `time` when it
/// occurred, `datacontenttype` application/json, `data` the payload's bytes unchanged; extensions
/// `traceparent` (W3C trace ids), `traceid`, `actor`, `ledgerposition` and `ledgerhash`.
extension RecordedEvent {
    /// The attributes other than `data`, in the order the structured form writes them; every value is text
    /// but `ledgerposition`, an integer.
    public var cloudEventAttributes: [(name: String, value: String)] {
        var attributes: [(String, String)] = [
            ("specversion", "1.0"), ("id", content.eventId.description), ("source", content.origin),
            ("type", content.type), ("subject", content.entityId), ("time", content.occurredAt.rfc3339),
            ("datacontenttype", "application/json"),
        ]
        if let traceparent { attributes.append(("traceparent", traceparent)) }
        attributes += [
            ("traceid", content.traceId), ("actor", content.actor), ("ledgerposition", String(position)),
            ("ledgerhash", hash.description),
        ]
        return attributes
    }

    /// The structured form: one JSON object, `data` last with the payload's bytes.
    public func cloudEventJSON() -> String {
        var out: [UInt8] = []
        appendCloudEventJSON(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `cloudEventJSON()`'s bytes to `out`.
    public func appendCloudEventJSON(to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for (name, value) in cloudEventAttributes {
            JSONString.appendQuoted(name, to: &out)
            out.append(UInt8(ascii: ":"))
            if name == "ledgerposition" {
                out.append(contentsOf: value.utf8)
            } else {
                JSONString.appendQuoted(value, to: &out)
            }
            out.append(UInt8(ascii: ","))
        }
        out.append(contentsOf: #""data":"#.utf8)
        out.append(contentsOf: content.payload)
        out.append(UInt8(ascii: "}"))
    }

    /// The binary form's headers: `ce-<attribute>` for each attribute but `datacontenttype`, which is the
    /// `Content-Type`. (HTTP sinks send the W3C `traceparent` header besides, in every format.)
    public var cloudEventHeaders: [(name: String, value: String)] {
        cloudEventAttributes.map { attribute in
            attribute.name == "datacontenttype"
                ? ("Content-Type", attribute.value) : ("ce-" + attribute.name, attribute.value)
        }
    }
}
