public import JSONKit

extension AuditReport {
    /// `{"entries":[…], "totals":[…], "verification":{…}}` as `audit --format json` prints it and
    /// `GET /v1/audit` sends it.
    public func jsonObject(head: ChainHead) -> JSONObject {
        var object = JSONObject()
        object["entries"] = .array(
            entries.map { entry in
                .object(
                    JSONObject([
                        ("position", .integer(entry.position)),
                        ("occurredAt", .string(entry.occurredAt.rfc3339)),
                        ("recordedAt", .string(entry.recordedAt.rfc3339)), ("actor", .string(entry.actor)),
                        ("origin", .string(entry.origin)), ("domain", .string(entry.domain.rawValue)),
                        ("entityId", .string(entry.entityId)), ("type", .string(entry.type)),
                        ("amount", .string(entry.amount.description)), ("currency", .string(entry.currency)),
                        ("traceId", .string(entry.traceId)), ("hash", .string(entry.hash.description)),
                    ]))
            })
        object["totals"] = .array(
            totals.map { total in
                .object(
                    JSONObject([
                        ("currency", .string(total.currency)), ("type", .string(total.type)),
                        ("count", .integer(total.count)), ("amount", .string(total.amount.description)),
                    ]))
            })
        var verification = JSONObject()
        switch self.verification {
        case nil: verification["verified"] = .bool(false)
        case .intact(let segment):
            verification["intact"] = .bool(true)
            verification["throughPosition"] = .integer(segment.position)
            verification["hashAtPosition"] = .string(segment.hash.description)
        case .broken(let position, let reason):
            verification["intact"] = .bool(false)
            verification["brokenAt"] = .integer(position)
            verification["reason"] = .string(reason)
        }
        verification["headPosition"] = .integer(head.position)
        verification["headHash"] = .string(head.hash.description)
        object["verification"] = .object(verification)
        return object
    }

    /// RFC 4180 CSV: a header row, CRLF line ends, fields quoted when they hold a comma, quote or line break.
    public var csv: String {
        var text =
            "position,occurred_at,recorded_at,actor,origin,domain,entity_id,type,amount,currency,trace_id,hash\r\n"
        for entry in entries {
            let fields = [
                String(entry.position), entry.occurredAt.rfc3339, entry.recordedAt.rfc3339, entry.actor,
                entry.origin, entry.domain.rawValue, entry.entityId, entry.type, entry.amount.description,
                entry.currency, entry.traceId, entry.hash.description,
            ]
            text += fields.map(Self.csvField).joined(separator: ",") + "\r\n"
        }
        return text
    }

    static func csvField(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else {
            return value
        }
        return "\"" + value.replacing("\"", with: "\"\"") + "\""
    }
}

extension Finding {
    /// `{"severity", "rule", "domain", "entityId", "traceId", "reason", "evidence"}`.
    public var jsonObject: JSONObject {
        JSONObject([
            ("severity", .string(severity.rawValue)), ("rule", .string(rule)),
            ("domain", .string(domain.rawValue)),
            ("entityId", .string(entityId)), ("traceId", .string(traceId)), ("reason", .string(reason)),
            ("evidence", .array(evidence.map { .integer($0) })),
        ])
    }

    /// `jsonObject` as one line of JSON.
    public var json: String { JSONValue.object(jsonObject).serialized() }
}
