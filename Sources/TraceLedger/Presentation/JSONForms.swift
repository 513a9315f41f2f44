import Foundation
public import JSONKit

/// The one JSON form of each result the engine hands out, printed by the CLI's `--json` and sent by the
/// server alike, so the two can never disagree. Field names are camelCase; times are RFC 3339 UTC; positions
/// and counts are integers.

extension JSONValue {
    /// A whole number of any width, exactly.
    public static func integer(_ value: some BinaryInteger) -> JSONValue {
        .number(JSONNumber(literal: "\(value)")!)
    }

    /// An RFC 3339 time, or null.
    public static func time(_ value: Timestamp?) -> JSONValue { value.map { .string($0.rfc3339) } ?? .null }
}

extension AppendOutcome {
    /// `{"line"?, "eventId", "position", "streamVersion", "duplicate", "hash"}`.
    public func jsonObject(line: Int? = nil) -> JSONObject {
        var object = JSONObject()
        if let line { object["line"] = .integer(line) }
        object["eventId"] = .string(eventId.description)
        object["position"] = .integer(position)
        object["streamVersion"] = .integer(streamVersion)
        object["duplicate"] = .bool(isDuplicate)
        object["hash"] = .string(hash.description)
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

extension LedgerStatistics {
    /// `{"events", "byDomain", "streams", "traces", "actors", "fileBytes", "usedBytes", "bytesPerEvent",
    /// "compressionRatio", "dictionaries", "headPosition", "headHash", "bytesByDatabase"}`.
    public var jsonObject: JSONObject {
        let domains = JSONObject(
            Domain.allCases.map { ($0.rawValue, JSONValue.integer(eventsByDomain[$0] ?? 0)) })
        let databases = JSONObject(
            bytesByDatabase.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.integer($0.value)) })
        return [
            "events": .integer(events), "byDomain": .object(domains), "streams": .integer(streams),
            "traces": .integer(traces), "actors": .integer(actors), "fileBytes": .integer(fileBytes),
            "usedBytes": .integer(usedBytes),
            "bytesPerEvent": .number(JSONNumber(literal: String(format: "%.1f", bytesPerEvent))!),
            "compressionRatio": .number(JSONNumber(literal: String(format: "%.2f", compressionRatio))!),
            "dictionaries": .integer(dictionaries), "headPosition": .integer(head.position),
            "headHash": .string(head.hash.description), "bytesByDatabase": .object(databases),
            "readerSlots": .integer(readerSlots), "staleReadersFreed": .integer(staleReadersFreed),
        ]
    }

    /// `jsonObject` as one line of JSON.
    public var json: String { JSONValue.object(jsonObject).serialized() }
}

extension VerificationResult {
    /// `{"intact":true,"events","headPosition","headHash"}` or `{"intact":false,"position","reason"}`.
    public var jsonObject: JSONObject {
        switch self {
        case .intact(let head):
            [
                "intact": .bool(true), "events": .integer(head.position),
                "headPosition": .integer(head.position),
                "headHash": .string(head.hash.description),
            ]
        case .broken(let position, let reason):
            ["intact": .bool(false), "position": .integer(position), "reason": .string(reason)]
        }
    }

    /// `jsonObject` as one line of JSON.
    public var json: String { JSONValue.object(jsonObject).serialized() }
}

extension EntitySnapshot {
    /// `{"domain", "entityId", "asOf", "lastPosition", "state"}`, `asOf` saying which instant it is.
    public func jsonObject(asOf: String) -> JSONObject {
        [
            "domain": .string(domain.rawValue), "entityId": .string(entityId), "asOf": .string(asOf),
            "lastPosition": .integer(lastPosition), "state": .object(fields),
        ]
    }
}
