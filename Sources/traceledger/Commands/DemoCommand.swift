import ArgumentParser
import Foundation
import TraceLedger
import TraceLedgerWorkload

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Walk through TraceLedger on a fresh store with a realistic workload.",
        discussion: """
            Creates a store in a new temporary directory, imports a generated workload (orders with payments, \
            stock, invoices, refunds, an order the ERP never accepted), and runs trace, history, events, state \
            (before and after a refund), reconcile, audit, verify and stats on it, printing each command so you \
            can repeat it.
            """)

    @Option(name: .long, help: "How many order flows to generate.")
    var orders = 300

    @Option(name: .long, help: "The workload's seed: the same seed gives the same events.")
    var seed: UInt64 = 42

    @Option(
        name: .long,
        help: ArgumentHelp("Where to create the demo (default: a new temporary directory).", valueName: "dir")
    )
    var directory: String?

    func validate() throws {
        guard orders >= 20 && orders <= 100_000 else {
            throw ValidationError("--orders must be from 20 to 100000")
        }
    }

    func run() async throws {
        let folder = try directory ?? makeTemporaryDirectory()
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw LedgerError(.storage, "cannot create \(folder): \(error.localizedDescription)")
        }
        let store = folder + "/store"
        let morning = folder + "/morning.ndjson"
        let afternoon = folder + "/afternoon.ndjson"
        let flows = try writeWorkload(to: morning, and: afternoon)

        section("1. Create a store and import a day of commerce events")
        try await run(["init", "--store", store])
        try await run(["import", morning, "--store", store])
        print("\nImporting the same file again appends nothing: every event id is already in the ledger.")
        try await run(["import", morning, "--store", store])
        let afternoonStarted = Timestamp.now()
        print("\nThe afternoon's events arrive from \(afternoonStarted.rfc3339) on:")
        try await run(["import", afternoon, "--store", store])

        if let unaccepted = flows.first(where: {
            $0.order?.missingERP == true && $0.order?.capturedAmount != nil
        }),
            let order = unaccepted.order
        {
            section("2. \"Order \(order.orderId) was paid but never reached the ERP\"")
            print("One trace id shows every change across Shopify, Stripe, the warehouse and the ERP:")
            try await run(["trace", unaccepted.traceId, "--store", store])
            print(
                "\nThe payment was captured, stock reserved — and no order.accepted from the ERP ever arrived."
            )
        }
        if let refunded = flows.first(where: { $0.order?.refundedAmount != nil }), let order = refunded.order
        {
            section("3. Who changed the money? The history of order \(order.orderId) and its payment")
            try await run(["history", "order", order.orderId, "--store", store])
            try await run(["history", "payment", order.paymentId, "--store", store])
            print("\nThe same, as machine-readable envelopes with positions and hashes :")
            try await run(["history", "payment", order.paymentId, "--store", store, "--json"])
        }
        if let person = flows.lazy.flatMap(\.events).first(where: { $0.actor.hasPrefix("user:") })?.actor {
            section("4. Every change \(person) made by hand")
            try await run(["events", "--actor", person, "--limit", "5", "--store", store])
        }
        section(
            "5. Everything recorded since the afternoon began: what a replay to a broken ERP feed would re-send"
        )
        try await run(["events", "--from", afternoonStarted.rfc3339, "--limit", "3", "--store", store])

        try await investigate(flows, store: store)

        section("9. The ERP feed broke this afternoon: re-send everything since then, idempotently")
        let feed = folder + "/erp-feed.ndjson"
        print(
            "Each event carries its id as the idempotency key; the consumer's checkpoint is saved as it goes."
        )
        try await run([
            "replay", "--to", "file:" + feed, "--consumer", "erp-feed", "--from", afternoonStarted.rfc3339,
            "--domain", "order,payment,invoice", "--store", store,
        ])
        print(
            "\nRun it again without --from: the consumer continues from its checkpoint, so nothing is sent twice."
        )
        try await run([
            "replay", "--to", "file:" + feed, "--consumer", "erp-feed", "--domain", "order,payment,invoice",
            "--store", store,
        ])
        try await run(["consumers", "--store", store])

        section("10. Prove the log was never altered")
        try await run(["verify", "--store", store])

        section("11. What it costs")
        try await run(["stats", "--store", store])

        section("Next")
        print(
            """
            The store stays at \(store) (remove it with: rm -r \(folder)).
            Try: traceledger events --store \(store) --domain payment --type payment.refunded
                 traceledger events --store \(store) --from 100 --until 120
                 TRACELEDGER_STORE=\(store) traceledger trace <trace-id> --json
            """)
    }

    /// Time travel on a refunded order, reconciliation of the planted problems, and the audit of one person's
    /// refunds.
    private func investigate(_ flows: [GeneratedFlow], store: String) async throws {
        if let order = flows.compactMap(\.order).first(where: { $0.refundedAmount != nil }) {
            let payment = try Ledger.open(at: store).history(
                of: StreamKey(domain: .payment, entityId: order.paymentId))
            if let refund = payment.last(where: { $0.type == "payment.refunded" }) {
                section("6. What did order \(order.orderId) look like before and after its refund?")
                print(
                    "The state as of the position just before the refund (\(refund.position - 1)), then at it:"
                )
                try await run([
                    "state", "order", order.orderId, "--as-of", String(refund.position - 1), "--store", store,
                ])
                try await run([
                    "state", "order", order.orderId, "--as-of", String(refund.position), "--store", store,
                ])
                print("\nWhich fields the refund changed, and which event changed them:")
                try await run([
                    "state", "order", order.orderId, "--diff", String(refund.position - 1),
                    String(refund.position),
                    "--store", store,
                ])
            }
        }
        section("7. Reconcile: what needs attention this morning?")
        let planted = flows.compactMap(\.order)
        print(
            "Planted in this workload: \(planted.filter(\.missingERP).count) paid orders the ERP never accepted, "
                + "\(planted.filter(\.invoiceTaxMismatch).count) invoices whose tax differs, "
                + "\(Set(planted.flatMap(\.oversoldStockEntities)).count) oversold stocks. The day spans minutes, so the "
                + "grace period and SLA are short:")
        try await run(["reconcile", "--grace", "2m", "--sla", "10m", "--store", store])
        if let person = flows.compactMap(\.order).first(where: { $0.refundedAmount != nil }).flatMap({
            order in
            flows.lazy.flatMap(\.events).first {
                $0.type == "payment.refunded" && $0.entityId == order.paymentId
            }?.actor
        }) {
            section("8. Audit: every refund \(person) made, with totals and a verified hash chain")
            try await run(["audit", "--domain", "payment", "--actor", person, "--store", store])
        }
    }

    private func makeTemporaryDirectory() throws -> String {
        var template = Array(
            (FileManager.default.temporaryDirectory.path + "/traceledger-demo-XXXXXX").utf8CString)
        guard let created = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw LedgerError(.storage, "cannot create a temporary directory; pass --directory")
        }
        return String(cString: created)
    }

    /// Writes the generated events as NDJSON, the first 80% to `first` and the rest to `second`, and returns the
    /// flows they came from.
    private func writeWorkload(to first: String, and second: String) throws -> [GeneratedFlow] {
        // Trouble a little more often than a real day has, so even a short demo holds every kind reconcile finds.
        var configuration = WorkloadConfiguration.realistic
        configuration.seed = seed
        configuration.missingERPRate = 0.02
        configuration.invoiceTaxMismatchRate = 0.05
        configuration.oversellChance = 0.3
        let flows = Array(WorkloadGenerator(configuration).flows().prefix(orders))
        let events = flows.flatMap(\.events).sorted {
            ($0.occurredAtNanoseconds, $0.flowIndex) < ($1.occurredAtNanoseconds, $1.flowIndex)
        }
        let split = events.count * 4 / 5
        for (path, part) in [(first, events[..<split]), (second, events[split...])] {
            let text = part.map { $0.line + "\n" }.joined()
            do {
                try text.write(toFile: path, atomically: true, encoding: .utf8)
            } catch {
                throw LedgerError(.storage, "cannot write \(path): \(error.localizedDescription)")
            }
        }
        print(
            "Generated \(Format.count(events.count)) events of \(flows.count) order flows: \(Format.count(split)) into "
                + "\(first), \(Format.count(events.count - split)) into \(second)")
        return flows
    }

    private func section(_ title: String) {
        print("\n\u{1B}[1m\(title)\u{1B}[0m")
    }

    /// Prints the command line, then runs it exactly as the command would run from a shell.
    private func run(_ arguments: [String]) async throws {
        print("\n$ traceledger \(arguments.map(quoted).joined(separator: " "))")
        fflush(nil)
        var command = try TraceLedgerCommand.parseAsRoot(arguments)
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let code as ExitCode
            where code.rawValue == ExitStatus.inputRejected || code.rawValue == ExitStatus.needsAttention
        {
            print("(exit \(code.rawValue))")
        }
    }

    private func quoted(_ argument: String) -> String {
        argument.contains(" ") || argument.isEmpty ? "'\(argument)'" : argument
    }
}
