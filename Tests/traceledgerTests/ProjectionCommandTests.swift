import Foundation
import Testing
import TraceLedgerTesting
import TraceLedgerWorkload

/// `project`, `state`, `reconcile` and `audit` as a user runs them.
@Suite struct ProjectionCommandTests {
    /// A store with a generated morning of orders, and its flows.
    static func fixture(orders: Int = 120) throws -> (CLIFixture, [GeneratedFlow]) {
        let fixture = CLIFixture()
        var configuration = WorkloadConfiguration(seed: 42)
        configuration.missingERPRate = 0.05
        let flows = Array(WorkloadGenerator(configuration).flows().prefix(orders))
        let lines = flows.flatMap(\.events).sorted {
            ($0.occurredAtNanoseconds, $0.flowIndex) < ($1.occurredAtNanoseconds, $1.flowIndex)
        }.map(\.line)
        _ = try fixture.run("init")
        let imported = try fixture.run("import", try fixture.write(lines))
        precondition(imported.status == 0, imported.stderr)
        return (fixture, flows)
    }

    @Test func projectDigestIsTheSameAfterARebuild() throws {
        let (fixture, _) = try Self.fixture()
        let caughtUp = try fixture.run("project", "--digest", "--json")
        #expect(caughtUp.status == 0, "\(caughtUp.stderr)")
        #expect(caughtUp.lines.count == 5)
        #expect(caughtUp.lines.first?.hasPrefix("{\"domain\":\"order\",\"checkpoint\":") == true)
        let rebuilt = try fixture.run("project", "--rebuild", "--digest", "--json")
        #expect(rebuilt.status == 0)
        func digests(_ lines: [String]) -> [String] {
            lines.map { String($0.split(separator: "\"digest\":").last ?? "") }
        }
        #expect(digests(rebuilt.lines) == digests(caughtUp.lines))
        let table = try fixture.run("project", "--digest")
        #expect(table.stdout.contains("PROJECTION  CHECKPOINT"))
        #expect(try fixture.run("project", "--domain", "stock").status == 2)
    }

    /// A catch-up whose transaction fills the LMDB map is run again in a grown map, and folds from what is stored:
    /// the aborted transaction's folding is forgotten (it was applied a second time before).
    @Test func aCatchUpThatFillsTheMapFoldsEachEventOnce() throws {
        let fixture = CLIFixture()
        let lines = WorkloadGenerator.lines(seed: 8, count: 4_500)
        _ = try fixture.run("init")
        #expect(
            try fixture.run("import", try fixture.write(Array(lines[..<3_000]), to: "first.ndjson")).status
                == 0)
        #expect(try fixture.run("project").status == 0)
        // Fewer events than a chunk folded off the writer: this catch-up is one transaction on the writer, in a
        // map no larger than the file, which fills while it puts the states.
        #expect(
            try fixture.run("import", try fixture.write(Array(lines[3_000...]), to: "more.ndjson")).status
                == 0)
        let caughtUp = try CommandRunner.run(
            ["project", "--store", fixture.store],
            environment: ["TRACELEDGER_MAP_SIZE": "\(1 << 20)", "TRACELEDGER_LOG_LEVEL": "notice"])
        #expect(caughtUp.status == 0, "\(caughtUp.stderr)")
        #expect(caughtUp.stderr.contains("grew the LMDB map"))
        func digests(_ lines: [String]) -> [String] {
            lines.map { String($0.split(separator: "\"digest\":").last ?? "") }
        }
        let incremental = digests(try fixture.run("project", "--digest", "--json").lines)
        let rebuilt = digests(try fixture.run("project", "--rebuild", "--digest", "--json").lines)
        #expect(incremental.count == 5)
        #expect(incremental == rebuilt)
    }

    @Test func stateShowsAnOrderNowAndBeforeItsRefund() throws {
        let (fixture, flows) = try Self.fixture()
        let order = try #require(
            flows.compactMap(\.order).first { $0.refundedAmount != nil && $0.creditNoteId != nil })
        let now = try fixture.run("state", "order", order.orderId)
        #expect(now.status == 0, "\(now.stderr)")
        #expect(now.stdout.contains("status           refunded"))
        let json = try fixture.run("state", "order", order.orderId, "--json")
        #expect(json.stdout.contains("\"refunded\":\"\(order.refundedAmount!)\""))
        let history = try fixture.run("history", "payment", order.paymentId, "--json")
        let refundLine = try #require(history.lines.first { $0.contains("\"type\":\"payment.refunded\"") })
        let position = try #require(Int(refundLine.dropFirst("{\"position\":".count).prefix { $0.isNumber }))
        let before = try fixture.run("state", "order", order.orderId, "--as-of", String(position - 1))
        #expect(before.stdout.contains("status           fulfilled"))
        let diff = try fixture.run(
            "state", "order", order.orderId, "--diff", String(position - 1), String(position))
        #expect(diff.stdout.contains("\(position) payment.refunded"))
        let missing = try fixture.run("state", "order", "SO-0")
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("has no state"))
        #expect(try fixture.run("state", "ledger", "x").status == 2)
    }

    @Test func reconcileExitsFiveWithFindingsAndPrintsNDJSON() throws {
        let (fixture, flows) = try Self.fixture()
        let result = try fixture.run("reconcile", "--grace", "2m")
        #expect(result.status == 5, "\(result.stderr)")
        #expect(result.lines.dropFirst().first?.hasPrefix("SEVERITY  FINDINGS") == true)
        let json = try fixture.run("reconcile", "--grace", "2m", "--json")
        #expect(json.status == 5)
        #expect(json.lines.allSatisfy { $0.hasPrefix("{\"severity\":") })
        let unaccepted = flows.compactMap(\.order).filter(\.missingERP).map(\.orderId)
        #expect(!unaccepted.isEmpty)
        #expect(
            json.lines.contains {
                $0.contains("\"rule\":\"paid-not-accepted\"") && $0.contains(unaccepted[0])
            })
        #expect(try fixture.run("reconcile", "--grace", "soon").status == 2)
    }

    @Test func reconcileExitsZeroOnACleanLog() throws {
        let fixture = CLIFixture()
        _ = try fixture.run("init")
        let line = EventLine.make(type: "stock.received", entityId: "SKU-1@WH", payload: #"{"quantity":3}"#)
        _ = try fixture.run("import", try fixture.write([line]))
        let result = try fixture.run("reconcile")
        #expect(result.status == 0)
        #expect(result.stdout.contains("critical  0"))
    }

    @Test func auditCSVOpensCleanlyInASpreadsheet() throws {
        let (fixture, flows) = try Self.fixture(orders: 60)
        let result = try fixture.run("audit", "--format", "csv", "--domain", "payment,invoice")
        #expect(result.status == 0, "\(result.stderr)")
        let rows = result.stdout.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(
            rows.first
                == "position,occurred_at,recorded_at,actor,origin,domain,entity_id,type,amount,currency,trace_id,hash"
        )
        let expected = flows.flatMap(\.events).filter {
            [
                "payment.authorized", "payment.captured", "payment.refunded", "invoice.posted",
                "invoice.paid", "invoice.credited",
            ]
            .contains($0.type)
        }
        #expect(rows.count == expected.count + 1)
        #expect(rows.dropFirst().allSatisfy { $0.split(separator: ",").count == 12 })
        #expect(rows.dropFirst().allSatisfy { !$0.contains("order.created") })
        #expect(result.stderr.contains("hash chain verified from position 1 to"))
        let json = try fixture.run("audit", "--format", "json", "--actor", "service:stripe-webhooks")
        #expect(json.stdout.hasPrefix("{\"entries\":[{\"position\":"))
        #expect(json.stdout.contains("\"intact\":true"))
        #expect(try fixture.run("audit", "--domain", "stock").status == 2)
    }
}
