import Foundation
import TraceLedger

/// Prints events as a timeline table for people, or as NDJSON envelopes with `--json`.
enum EventPrinter {
    static func print(_ events: [RecordedEvent], json: Bool) {
        if json {
            for event in events { Swift.print(event.envelopeJSON()) }
            return
        }
        var table = timelineTable()
        for event in events { addRow(for: event, to: &table) }
        Swift.print(table.rendered())
    }

    static func timelineTable() -> TextTable {
        TextTable("POS", "OCCURRED (UTC)", "ORIGIN", "ACTOR", "ENTITY", "TYPE", "SUMMARY")
    }

    static func addRow(for event: RecordedEvent, to table: inout TextTable) {
        table.add(
            String(event.position), shortTime(event.occurredAt), event.origin, event.actor,
            "\(event.domain.rawValue)/\(event.entityId)", event.type, event.payloadSummary)
    }

    /// `2026-11-02 09:15:03.123` (UTC): RFC 3339 made easier to scan in a table.
    static func shortTime(_ time: Timestamp) -> String {
        var text = time.rfc3339
        text.removeLast()  // Z
        return text.replacingOccurrences(of: "T", with: " ")
    }
}
