import Foundation

/// W3C trace context (`traceparent: 00-<trace id>-<parent id>-<flags>`), read from requests and written on
/// deliveries, so a trace crosses HTTP hops both ways.
public enum TraceParent {
    /// The 32-hex trace id of a `traceparent` header, or nil when the header is not one (or its trace id is
    /// all zeros, which the standard forbids).
    public static func traceId(_ header: String) -> String? {
        let parts = header.trimmingCharacters(in: .whitespaces).split(separator: "-")
        guard parts.count >= 4, parts[0].count == 2, parts[1].count == 32, parts[2].count == 16,
            parts[3].count == 2
        else { return nil }
        let hex = Set("0123456789abcdef")
        guard parts[1].allSatisfy(hex.contains), parts[2].allSatisfy(hex.contains), parts[0] != "ff",
            parts[1].contains(where: { $0 != "0" })
        else { return nil }
        return String(parts[1])
    }
}

extension RecordedEvent {
    /// `traceparent` for a W3C trace id (32 lowercase hex digits, not all zero), parented on the event id;
    /// nil for other trace ids (deliveries send them as `X-Trace-Id`).
    public var traceparent: String? {
        let trace = content.traceId
        guard trace.utf8.count == 32,
            trace.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }),
            trace.utf8.contains(where: { $0 != 48 })
        else { return nil }
        var span = String(content.eventId.description.filter { $0 != "-" }.prefix(16))
        if span.allSatisfy({ $0 == "0" }) { span = "0000000000000001" }
        return "00-\(trace)-\(span)-01"
    }
}
