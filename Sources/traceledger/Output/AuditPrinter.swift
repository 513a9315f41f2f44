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
        JSONValue.object(report.jsonObject(head: head)).serialized()
    }

    /// RFC 4180 CSV on stdout, the footer on stderr.
    static func csv(_ report: AuditReport, head: ChainHead) {
        print(report.csv, terminator: "")
        Terminal.error(footer(report, head: head))
    }
}
