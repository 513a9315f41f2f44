import Foundation
import JSONKit
import TraceLedger

/// The audit report as a table with a footer, one JSON document, or RFC 4180 CSV.
enum AuditPrinter {
    static func table(_ report: AuditReport, head: ChainHead) {
        var table = TextTable(
            "OCCURRED (UTC)", "ACTOR", "ORIGIN", "ENTITY", "TYPE", "AMOUNT", "CUR", "TRACE", "POS", "HASH")
        for entry in report.entries {
            table.add(
                EventPrinter.shortTime(entry.occurredAt), entry.actor, entry.origin,
                "\(entry.domain.rawValue)/\(entry.entityId)", entry.type, entry.amount.description,
                entry.currency,
                entry.traceId, String(entry.position), String(entry.hash.description.prefix(12)))
        }
        print(report.entries.isEmpty ? "no changes to money match" : table.rendered())
        print(footer(report, head: head))
    }

    /// Totals per currency and type, money kept, and what the chain was verified against.
    static func footer(_ report: AuditReport, head: ChainHead) -> String {
        var lines: [String] = []
        if !report.totals.isEmpty {
            var totals = TextTable("CURRENCY", "TYPE", "COUNT", "TOTAL")
            for total in report.totals {
                totals.add(total.currency, total.type, String(total.count), total.amount.description)
            }
            for (currency, amount) in report.netCollected {
                totals.add(currency, "net collected (captured − refunded)", "", amount.description)
            }
            lines.append("\n" + totals.rendered())
        }
        lines.append("\n" + verificationLine(report, head: head))
        return lines.joined(separator: "\n")
    }

    static func verificationLine(_ report: AuditReport, head: ChainHead) -> String {
        switch report.verification {
        case nil:
            return
                "nothing to verify: the report is empty (ledger head: position \(head.position), hash \(head.hash))"
        case .intact(let segment):
            return
                "hash chain verified from position 1 to \(segment.position): intact; hash at \(segment.position): "
                + "\(segment.hash); ledger head: position \(head.position), hash \(head.hash)"
        case .broken(let position, let reason):
            return "HASH CHAIN BROKEN at position \(position): \(reason); this report cannot be trusted past "
                + "position \(position - 1)"
        }
    }

    static func json(_ report: AuditReport, head: ChainHead) -> String {
        func number(_ value: UInt64) -> JSONValue { .number(JSONNumber(Int64(value))) }
        var object = JSONObject()
        object["entries"] = .array(
            report.entries.map { entry in
                .object(
                    JSONObject([
                        ("position", number(entry.position)),
                        ("occurredAt", .string(entry.occurredAt.rfc3339)),
                        ("recordedAt", .string(entry.recordedAt.rfc3339)), ("actor", .string(entry.actor)),
                        ("origin", .string(entry.origin)), ("domain", .string(entry.domain.rawValue)),
                        ("entityId", .string(entry.entityId)), ("type", .string(entry.type)),
                        ("amount", .string(entry.amount.description)), ("currency", .string(entry.currency)),
                        ("traceId", .string(entry.traceId)), ("hash", .string(entry.hash.description)),
                    ]))
            })
        object["totals"] = .array(
            report.totals.map { total in
                .object(
                    JSONObject([
                        ("currency", .string(total.currency)), ("type", .string(total.type)),
                        ("count", .number(JSONNumber(total.count))),
                        ("amount", .string(total.amount.description)),
                    ]))
            })
        var verification = JSONObject()
        switch report.verification {
        case nil: verification["verified"] = .bool(false)
        case .intact(let segment):
            verification["intact"] = .bool(true)
            verification["throughPosition"] = number(segment.position)
            verification["hashAtPosition"] = .string(segment.hash.description)
        case .broken(let position, let reason):
            verification["intact"] = .bool(false)
            verification["brokenAt"] = number(position)
            verification["reason"] = .string(reason)
        }
        verification["headPosition"] = number(head.position)
        verification["headHash"] = .string(head.hash.description)
        object["verification"] = .object(verification)
        return JSONValue.object(object).serialized()
    }

    /// RFC 4180: a header row, CRLF line ends, fields quoted when they hold a comma, quote or line break.
    static func csv(_ report: AuditReport, head: ChainHead) {
        var text =
            "position,occurred_at,recorded_at,actor,origin,domain,entity_id,type,amount,currency,trace_id,hash\r\n"
        for entry in report.entries {
            let fields = [
                String(entry.position), entry.occurredAt.rfc3339, entry.recordedAt.rfc3339, entry.actor,
                entry.origin,
                entry.domain.rawValue, entry.entityId, entry.type, entry.amount.description, entry.currency,
                entry.traceId, entry.hash.description,
            ]
            text += fields.map(csvField).joined(separator: ",") + "\r\n"
        }
        print(text, terminator: "")
        Terminal.error(footer(report, head: head))
    }

    static func csvField(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else {
            return value
        }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
