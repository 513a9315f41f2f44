import Foundation
import Testing
import TraceLedgerTesting
import TraceLedgerWorkload

@Suite struct ReadingCommandTests {
    /// A store with a few generated flows, and the flows.
    static func fixture() throws -> (CLIFixture, [GeneratedFlow]) {
        let fixture = CLIFixture()
        let flows = Array(WorkloadGenerator(seed: 21).flows().prefix(40))
        let lines = flows.flatMap(\.events).sorted { $0.occurredAtNanoseconds < $1.occurredAtNanoseconds }
            .map(\.line)
        _ = try fixture.run("init")
        let imported = try fixture.run("import", try fixture.write(lines))
        precondition(imported.status == 0, imported.stderr)
        return (fixture, flows)
    }

    @Test func traceJSONPrintsEveryEnvelopeOfTheTraceWithBytesIntact() throws {
        let (fixture, flows) = try Self.fixture()
        let flow = flows.first { $0.order != nil }!
        let result = try fixture.run("trace", flow.traceId, "--json")
        #expect(result.status == 0)
        #expect(result.lines.count == flow.events.count)
        for event in flow.events {
            let line = try #require(result.lines.first { $0.contains("\"eventId\":\"\(event.eventId)\"") })
            #expect(line.hasSuffix(",\"payload\":\(event.payloadJSON)}"))
            #expect(line.contains("\"traceId\":\"\(flow.traceId)\""))
            #expect(line.contains("\"hash\":\""))
            #expect(line.contains("\"streamVersion\":"))
        }
        let table = try fixture.run("trace", flow.traceId)
        #expect(table.lines.first?.hasPrefix("POS") == true)
        #expect(table.stdout.contains("order.created"))
    }

    @Test func historyAndEventsFilter() throws {
        let (fixture, flows) = try Self.fixture()
        let order = flows.compactMap(\.order).first!
        let history = try fixture.run("history", "order", order.orderId, "--json")
        #expect(history.status == 0)
        #expect(history.lines.allSatisfy { $0.contains("\"entityId\":\"\(order.orderId)\"") })
        #expect(history.lines.first?.contains("\"streamVersion\":1,") == true)
        let payments = try fixture.run("events", "--domain", "payment", "--limit", "3", "--json")
        #expect(payments.lines.count == 3)
        #expect(payments.lines.allSatisfy { $0.contains("\"domain\":\"payment\"") })
        let range = try fixture.run("events", "--from", "5", "--until", "9", "--json")
        #expect(range.lines.count == 5)
        #expect(range.lines.first?.hasPrefix("{\"position\":5,") == true)
    }

    @Test func verifyReportsTheHead() throws {
        let (fixture, flows) = try Self.fixture()
        let total = flows.reduce(0) { $0 + $1.events.count }
        let result = try fixture.run("verify")
        #expect(result.status == 0)
        #expect(
            result.stdout.contains("intact: \(total) events")
                || result.stdout.contains("intact: \(total.formatted()) events"))
        #expect(result.stdout.contains("head: position \(total)"))
    }

    @Test func usageAndMissingThingsHaveTheirExitCodes() throws {
        let (fixture, _) = try Self.fixture()
        #expect(try fixture.run("trace", "no-such-trace").status == 1)
        #expect(try fixture.run("history", "shipping", "X").status == 2)
        #expect(try fixture.run("events", "--limit", "0").status == 2)
        #expect(try CommandRunner.run(["frobnicate"]).status == 2)
        let missing = try CommandRunner.run(["stats", "--store", fixture.directory.file("nowhere")])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("traceledger init"))
    }

    @Test func theStoreComesFromTheEnvironmentWhenNotGiven() throws {
        let (fixture, _) = try Self.fixture()
        let result = try CommandRunner.run(
            ["stats", "--json"], environment: ["TRACELEDGER_STORE": fixture.store])
        #expect(result.status == 0)
        #expect(result.stdout.contains("\"events\":"))
    }
}
