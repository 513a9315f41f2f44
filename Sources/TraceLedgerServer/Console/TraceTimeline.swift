import Foundation
import TraceLedger

/// A system a trace's events come from: one swimlane of the timeline.
struct Lane: Hashable, Sendable {
    let key: String
    let title: String
    let rank: Int

    /// The lane of an event's `origin`.
    static func of(_ origin: String) -> Lane {
        switch origin.lowercased() {
        case "shopify", "shop", "storefront", "magento", "woocommerce": Lane(key: "shop", title: "Shop", rank: 0)
        case "stripe", "adyen", "paypal", "payment", "psp": Lane(key: "payment", title: "Payment provider", rank: 1)
        case "erp", "sap", "odoo", "netsuite", "dynamics": Lane(key: "erp", title: "ERP", rank: 2)
        case "wms", "warehouse", "3pl": Lane(key: "warehouse", title: "Warehouse", rank: 3)
        case "traceledger", "ledger": Lane(key: "ledger", title: "Ledger", rank: 4)
        default: Lane(key: origin, title: origin, rank: 5)
        }
    }

    /// The lane where a finding's missing or wrong step belongs: a paid order the ERP never accepted is a gap
    /// on the ERP's lane, an oversold stock on the warehouse's.
    static func of(finding: Finding) -> Lane {
        switch finding.rule {
        case "paid-not-accepted", "invoice-mismatch", "refund-without-credit-note", "stalled-order": of("erp")
        case "rejected-after-capture": of("stripe")
        case "oversold": of("wms")
        case "duplicate-customer": of("shopify")
        default: of("traceledger")
        }
    }
}

/// The trace as a picture: one swimlane per system, time along the axis (long gaps compressed and labelled),
/// each event a mark naming its type and entity, and reconciliation findings drawn as marked gaps on the lane
/// where the missing step belongs. Plain SVG, every mark a link to the event's details.
enum TraceTimeline {
    static let width = 1240.0
    static let laneHeight = 86.0
    static let left = 150.0
    static let right = 40.0
    static let top = 28.0

    /// `now` is the reconciliation's now (the latest occurredAt in the log): with findings, the axis runs on
    /// to it, so a step that never came shows as the gap it is.
    static func svg(
        _ events: [RecordedEvent], findings: [Finding], now: Timestamp?, selected: UInt64?, link: (UInt64) -> String
    ) -> String {
        let ordered = events.sorted { ($0.content.occurredAt, $0.position) < ($1.content.occurredAt, $1.position) }
        var lanes = Set(ordered.map { Lane.of($0.content.origin) })
        for finding in findings { lanes.insert(Lane.of(finding: finding)) }
        let laneList = lanes.sorted { ($0.rank, $0.key) < ($1.rank, $1.key) }
        let row = Dictionary(uniqueKeysWithValues: laneList.enumerated().map { ($1, Double($0)) })
        let last = ordered.last?.content.occurredAt
        let until = findings.isEmpty ? nil : now.flatMap { now in last.map { now > $0 ? now : $0 } }
        let axis = Axis(times: ordered.map(\.content.occurredAt) + (until.map { [$0] } ?? []), from: left, to: width - right)
        let height = top + laneHeight * Double(laneList.count) + 30
        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
            viewBox="0 0 \(Int(width)) \(Int(height))" role="img" aria-label="Timeline of the trace">
            """
        for (index, lane) in laneList.enumerated() {
            let y = top + laneHeight * Double(index)
            out += """
                <g class="lane-row" data-lane="\(HTML.escape(lane.key))">\
                <rect x="0" y="\(y)" width="\(width)" height="\(laneHeight)" fill="\(index % 2 == 0 ? "#fafbfc" : "#ffffff")"/>\
                <text class="lane" x="10" y="\(y + laneHeight / 2 + 4)">\(HTML.escape(lane.title))</text>\
                <line x1="\(left)" y1="\(y + laneHeight / 2)" x2="\(width - right)" y2="\(y + laneHeight / 2)" stroke="#d5d9e0"/></g>
                """
        }
        // The compressed gaps: a break on the axis, with the time it stands for.
        for gap in axis.breaks {
            out += """
                <g class="gap-break"><line x1="\(gap.x)" y1="\(top - 6)" x2="\(gap.x)" y2="\(height - 24)" \
                stroke="#9aa3b2" stroke-dasharray="3 3"/>\
                <text class="gap" x="\(gap.x)" y="\(top - 10)" text-anchor="middle">\(HTML.escape(gap.label))</text></g>
                """
        }
        // Findings: a marked gap from the last event that shows it to the end of the axis.
        for finding in findings {
            let lane = Lane.of(finding: finding)
            let y = top + laneHeight * row[lane, default: 0]
            let evidence = ordered.filter { finding.evidence.contains($0.position) }
            let start = evidence.last.map { axis.x($0.content.occurredAt) } ?? left
            let end = until.map { axis.x($0) } ?? width - right
            out += """
                <g class="finding-mark" data-rule="\(HTML.escape(finding.rule))" data-lane="\(HTML.escape(lane.key))">\
                <rect x="\(start)" y="\(y + 10)" width="\(max(24, end - start))" height="\(laneHeight - 20)" \
                fill="#b3261e" fill-opacity="0.08" stroke="#b3261e" stroke-dasharray="5 3"/>\
                <text class="finding" x="\(end - 6)" y="\(y + laneHeight - 16)" text-anchor="end">\
                \(HTML.escape(finding.severity.rawValue)): \(HTML.escape(String(finding.reason.prefix(90))))</text>\
                <title>\(HTML.escape(finding.rule)): \(HTML.escape(finding.reason))</title></g>
                """
        }
        // The events: stacked a little when several share a spot, their labels alternating above and below.
        var taken: [String: Int] = [:]
        for (index, event) in ordered.enumerated() {
            let lane = Lane.of(event.content.origin)
            let x = axis.x(event.content.occurredAt)
            let slot = "\(lane.key)@\(Int(x / 10))"
            let stack = taken[slot, default: 0]
            taken[slot] = stack + 1
            let y = top + laneHeight * row[lane, default: 0] + laneHeight / 2 + Double(stack % 3) * 5
            let above = index % 2 == 0
            let labelY = above ? y - 12 : y + 20
            let nearEnd = x > width - right - 160
            let isSelected = event.position == selected
            out += """
                <a href="\(HTML.escape(link(event.position)))" class="event-mark" data-position="\(event.position)" \
                data-lane="\(HTML.escape(lane.key))" data-type="\(HTML.escape(event.type))">\
                <circle cx="\(x)" cy="\(y)" r="\(isSelected ? 8 : 6)" fill="\(isSelected ? "#1f5fbf" : "#3b7ddd")" \
                stroke="#fff" stroke-width="1.5"/>\
                <text x="\(x + (nearEnd ? -4 : 4))" y="\(labelY)" text-anchor="\(nearEnd ? "end" : "start")" \
                transform="rotate(-12 \(x) \(labelY))">\
                \(HTML.escape(event.type))<tspan class="gap" dx="4">\(HTML.escape(Self.short(event.entityId)))</tspan></text>\
                <title>#\(event.position) \(HTML.escape(event.type)) \(HTML.escape(event.domain.rawValue))/\
                \(HTML.escape(event.entityId)) at \(HTML.escape(event.content.occurredAt.rfc3339))</title></a>
                """
        }
        if let first = ordered.first, let last = until ?? ordered.last?.content.occurredAt {
            out += """
                <text x="\(left)" y="\(height - 8)" class="gap">\(HTML.escape(first.content.occurredAt.rfc3339))</text>\
                <text x="\(width - right)" y="\(height - 8)" class="gap" text-anchor="end">\
                \(until == nil ? "" : "now: ")\(HTML.escape(last.rfc3339))</text>
                """
        }
        return out + "</svg>"
    }
}

extension TraceTimeline {
    /// An entity id short enough for a label.
    static func short(_ id: String) -> String { id.count <= 16 ? id : id.prefix(14) + "…" }
}

/// Where times fall on the axis: linear between events, but a gap much longer than the others is drawn as a
/// fixed-width break labelled with its length, so a two-day wait does not squeeze the minutes around it.
struct Axis {
    struct Break {
        let x: Double
        let label: String
    }

    private var stops: [(time: Int64, x: Double)] = []
    private(set) var breaks: [Break] = []

    init(times: [Timestamp], from start: Double, to end: Double) {
        let sorted = Array(Set(times.map(\.nanosecondsSinceEpoch))).sorted()
        guard sorted.count > 1 else {
            stops = sorted.map { ($0, (start + end) / 2) }
            return
        }
        let gaps = zip(sorted, sorted.dropFirst()).map { $1 - $0 }
        let median = gaps.sorted()[gaps.count / 2]
        let breakWidth = 36.0
        let isBreak = gaps.map { $0 > max(4 * median, 60 * 1_000_000_000) && $0 > 0 }
        let linear = zip(gaps, isBreak).filter { !$1 }.map { Double($0.0) }.reduce(0, +)
        let breakCount = Double(isBreak.count { $0 })
        let minimum = 10.0  // every distinct time gets some room
        let room = max(0, end - start - breakWidth * breakCount - minimum * Double(gaps.count))
        var x = start
        stops.append((sorted[0], x))
        for (index, gap) in gaps.enumerated() {
            if isBreak[index] {
                breaks.append(Break(x: x + breakWidth / 2, label: "+" + Self.describe(nanoseconds: gap)))
                x += breakWidth + minimum
            } else {
                x += minimum + (linear > 0 ? room * Double(gap) / linear : 0)
            }
            stops.append((sorted[index + 1], x))
        }
    }

    func x(_ time: Timestamp) -> Double {
        let t = time.nanosecondsSinceEpoch
        guard let index = stops.firstIndex(where: { $0.time >= t }) else { return stops.last?.x ?? 0 }
        return stops[index].x
    }

    static func describe(nanoseconds: Int64) -> String {
        let seconds = nanoseconds / 1_000_000_000
        switch seconds {
        case ..<120: return "\(seconds) s"
        case ..<7200: return "\(seconds / 60) min"
        case ..<172_800: return "\(seconds / 3600) h \(seconds % 3600 / 60) min"
        default: return "\(seconds / 86_400) d \(seconds % 86_400 / 3600) h"
        }
    }
}
