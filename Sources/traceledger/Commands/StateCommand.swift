import ArgumentParser
import JSONKit
import TraceLedger

struct StateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "state",
        abstract: "Show an entity's state now, at an earlier instant, or what changed between two instants.",
        discussion: """
            Catches the projections up first. --as-of takes a position or a time matched against recordedAt \
            (what the ledger knew then); --occurred-before a time matched against occurredAt (what had happened \
            in the source systems). An earlier state is folded from the entity's own events (an order's include \
            the payments and invoices that name it), so it costs what the entity's history costs. --diff FROM TO \
            (positions or recordedAt times) lists the fields that differ and the events that changed them.
            """)

    @OptionGroup var store: StoreOptions

    @Argument(help: ArgumentHelp("order, payment, stock, invoice or customer.", valueName: "domain"))
    var domain: Domain

    @Argument(
        help: ArgumentHelp("The entity id, e.g. SO-100001 or SKU-00042@WH-BER.", valueName: "entity-id"))
    var entityId: String

    @Option(
        name: .customLong("as-of"),
        help: ArgumentHelp("A position, or a recordedAt time.", valueName: "position|time"))
    var asOf: LogBound?

    @Option(
        name: .customLong("occurred-before"),
        help: ArgumentHelp("Only events that occurred before this time.", valueName: "time"))
    var occurredBefore: String?

    @Option(
        name: .long, parsing: .upToNextOption,
        help: ArgumentHelp("Two instants: positions or recordedAt times.", valueName: "from to"))
    var diff: [LogBound] = []

    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false

    func validate() throws {
        guard Domain.projected.contains(domain) else {
            throw ValidationError(
                "\(domain.rawValue) has no state; choose order, payment, stock, invoice or customer")
        }
        if !diff.isEmpty, diff.count != 2 { throw ValidationError("--diff takes two instants: FROM TO") }
        if !diff.isEmpty, asOf != nil { throw ValidationError("--diff and --as-of do not go together") }
        if let occurredBefore, Timestamp(rfc3339: occurredBefore) == nil {
            throw ValidationError("--occurred-before takes an RFC 3339 time such as 2026-11-02T10:00:00Z")
        }
    }

    func run() async throws {
        let projections = ProjectionEngine(ledger: try store.openLedger())
        try await ProjectionProgress.catchUp(projections)
        let entity = StreamKey(domain: domain, entityId: entityId)
        let occurred = occurredBefore.flatMap { Timestamp(rfc3339: $0) }
        if diff.count == 2 {
            let from = instant(diff[0].bound, occurred)
            let to = instant(diff[1].bound, occurred)
            let changes = try projections.diff(of: entity, from: from, to: to)
            if json {
                print(
                    DiffJSON.render(entity: entity, from: describe(from), to: describe(to), changes: changes))
            } else {
                StatePrinter.printDiff(
                    changes, heading: "\(entity) from \(describe(from)) to \(describe(to))")
            }
            return
        }
        let when = instant(asOf?.bound, occurred)
        let snapshot =
            when == .now ? try projections.state(of: entity) : try projections.state(of: entity, asOf: when)
        guard let snapshot else {
            throw LedgerError(
                .notFound,
                "\(entity) has no state \(when == .now ? "" : "as of \(describe(when)) ")"
                    + "(no event of it applies); check the domain and id with `traceledger history`")
        }
        if json {
            print(JSONValue.object(snapshot.jsonObject(asOf: describe(when))).serialized())
        } else {
            StatePrinter.print(snapshot, heading: "\(entity) \(describe(when))")
        }
    }

    private func instant(_ bound: EventQuery.Bound?, _ occurredBefore: Timestamp?) -> LogInstant {
        var instant = LogInstant(occurredBefore: occurredBefore)
        switch bound {
        case .position(let position): instant.position = position
        case .time(let time): instant.recordedAtOrBefore = time
        case nil: break
        }
        return instant
    }

    private func describe(_ instant: LogInstant) -> String {
        var parts: [String] = []
        if let position = instant.position { parts.append("as of position \(position)") }
        if let time = instant.recordedAtOrBefore { parts.append("as recorded by \(time.rfc3339)") }
        if let time = instant.occurredBefore {
            parts.append("of events that occurred before \(time.rfc3339)")
        }
        return parts.isEmpty ? "now" : parts.joined(separator: ", ")
    }
}

/// `state --diff --json`: one object with both instants and the changed fields.
enum DiffJSON {
    static func render(entity: StreamKey, from: String, to: String, changes: [FieldChange]) -> String {
        var object = JSONObject()
        object["domain"] = .string(entity.domain.rawValue)
        object["entityId"] = .string(entity.entityId)
        object["from"] = .string(from)
        object["to"] = .string(to)
        object["changes"] = .array(
            changes.map { change in
                var item = JSONObject()
                item["field"] = .string(change.field)
                item["from"] = change.from ?? .null
                item["to"] = change.to ?? .null
                item["changedBy"] = .array(
                    change.changedBy.map {
                        .object(
                            JSONObject([
                                ("position", .number(JSONNumber(Int64($0.position)))),
                                ("type", .string($0.type)),
                                ("occurredAt", .string($0.occurredAt.rfc3339)),
                            ]))
                    })
                return .object(item)
            })
        return JSONValue.object(object).serialized()
    }
}
