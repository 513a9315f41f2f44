import Foundation
public import JSONKit

/// The one JSON form of each result the engine hands out, printed by the CLI's `--json` and sent by the
/// server alike, so the two can never disagree. Field names are camelCase; times are RFC 3339 UTC; positions
/// and counts are integers.

extension JSONValue {
    static func integer(_ value: some BinaryInteger) -> JSONValue {
        .number(JSONNumber(literal: "\(value)")!)
    }
    static func time(_ value: Timestamp?) -> JSONValue { value.map { .string($0.rfc3339) } ?? .null }
}

extension AppendOutcome {
    /// `{"line"?, "eventId", "position", "streamVersion", "duplicate"}`.
    public func jsonObject(line: Int? = nil) -> JSONObject {
        var object = JSONObject()
        if let line { object["line"] = .integer(line) }
        object["eventId"] = .string(eventId.description)
        object["position"] = .integer(position)
        object["streamVersion"] = .integer(streamVersion)
        object["duplicate"] = .bool(isDuplicate)
        return object
    }

    /// `jsonObject(line:)` as one line of JSON.
    public func json(line: Int? = nil) -> String { JSONValue.object(jsonObject(line: line)).serialized() }
}

extension DeadLetter {
    /// `{"consumer", "position", "eventId", "domain", "entityId", "traceId", "type", "state", "attempts",
    /// "lastError", "failedAt", "heldBehind"?, "status"?, "response"?}`.
    public var jsonObject: JSONObject {
        var object: JSONObject = [
            "consumer": .string(consumer), "position": .integer(position),
            "eventId": .string(eventId.description),
            "domain": .string(stream.domain.rawValue), "entityId": .string(stream.entityId),
            "traceId": .string(traceId), "type": .string(type),
            "state": .string(state == .dead ? "dead" : "held"),
            "attempts": .integer(attempts), "lastError": .string(lastError), "failedAt": .time(failedAt),
        ]
        if case .held(let behind) = state { object["heldBehind"] = .integer(behind) }
        if let status { object["status"] = .integer(status) }
        if let response { object["response"] = .string(response) }
        return object
    }

    /// `jsonObject` as one line of JSON.
    public var json: String { JSONValue.object(jsonObject).serialized() }
}

extension ConsumerStatus {
    /// `{"consumer", "checkpoint", "lag", "deadLetters", "held", "delivered", "lastDeliveryAt", "sink"}`.
    public var jsonObject: JSONObject {
        [
            "consumer": .string(state.name), "checkpoint": .integer(state.checkpoint), "lag": .integer(lag),
            "deadLetters": .integer(deadLetters), "held": .integer(heldBack),
            "delivered": .integer(state.delivered),
            "lastDeliveryAt": .time(state.lastDeliveryAt), "sink": .string(state.sink),
        ]
    }

    /// `jsonObject` as one line of JSON.
    public var json: String { JSONValue.object(jsonObject).serialized() }
}

extension ReplaySummary {
    /// `{"consumer", "sink", "dryRun", "firstPosition", "lastPosition", "matched", "delivered", "retried",
    /// "deadLettered", "heldBack", "checkpoint", "seconds", "countsByType"}`.
    public var jsonObject: JSONObject {
        let counts = JSONObject(
            countsByType.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.integer($0.value)) })
        return [
            "consumer": .string(consumer), "sink": .string(sink), "dryRun": .bool(dryRun),
            "firstPosition": .integer(firstPosition), "lastPosition": .integer(lastPosition),
            "matched": .integer(matched), "delivered": .integer(delivered), "retried": .integer(retried),
            "deadLettered": .integer(deadLettered), "heldBack": .integer(heldBack),
            "checkpoint": .integer(checkpoint),
            "seconds": .number(JSONNumber(literal: String(format: "%.3f", seconds))!),
            "countsByType": .object(counts),
        ]
    }

    /// `jsonObject` as one line of JSON.
    public var json: String { JSONValue.object(jsonObject).serialized() }
}

extension ProjectionStatus {
    /// `{"domain", "checkpoint", "entities", "anomalies", "generation", "digest"}`.
    public var jsonObject: JSONObject {
        [
            "domain": .string(domain.rawValue), "checkpoint": .integer(checkpoint),
            "entities": .integer(entities),
            "anomalies": .integer(anomalies), "generation": .integer(generation), "digest": .string(digest),
        ]
    }

    /// `jsonObject` as one line of JSON.
    public var json: String { JSONValue.object(jsonObject).serialized() }
}
