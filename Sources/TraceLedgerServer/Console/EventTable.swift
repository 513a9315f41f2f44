import TraceLedger

/// A table of events, each linking to its place on its trace.
enum EventTable {
    /// With `checkpoint`, a column saying whether the latest signed checkpoint (of that size, nil for none
    /// yet) covers each event.
    static func html(_ events: [RecordedEvent], selected: UInt64? = nil, checkpoint: UInt64?? = nil) -> String {
        var rows = ""
        for event in events {
            let trace = "/traces/\(HTML.component(event.traceId))?event=\(event.position)"
            let entity = "/entities/\(event.domain.rawValue)/\(HTML.component(event.entityId))"
            let covered: String
            switch checkpoint {
            case .some(.some(let size)): covered = event.position <= size ? "signed (size \(size))" : "after it"
            case .some(.none): covered = "none signed yet"
            case .none: covered = ""
            }
            rows += """
                <tr\(event.position == selected ? " class=\"selected\"" : "")><td>\(HTML.link(trace, "#\(event.position)"))</td>\
                <td>\(HTML.time(event.content.occurredAt))</td><td>\(HTML.escape(Lane.of(event.content.origin).title))</td>\
                <td>\(HTML.escape(event.type))</td><td>\(HTML.link(entity, "\(event.domain.rawValue)/\(event.entityId)"))</td>\
                <td>\(HTML.link("/actors/\(HTML.component(event.content.actor))", event.content.actor))</td>\
                <td class="mono" title="\(HTML.escape(event.hash.description))">\(HTML.escape(String(event.hash.description.prefix(12))))</td>\
                <td>\(covered)</td></tr>
                """
        }
        return """
            <table><thead><tr><th>Position</th><th>Occurred (UTC)</th><th>System</th><th>Type</th><th>Entity</th>\
            <th>Actor</th><th>Hash</th><th>\(checkpoint == nil ? "" : "Checkpoint")</th></tr></thead><tbody>\(rows)</tbody></table>
            """
    }
}
