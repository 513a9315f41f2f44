import Testing
import TraceLedgerWorkload

/// Time, identity and trace properties a ledger relies on.
@Suite struct OrderingTests {
    @Test func eachEntityStreamIsInTimeOrder() {
        var last: [String: Int64] = [:]
        var previous = Int64.min
        for event in Samples.events {
            let key = event.domain + "/" + event.entityId
            #expect(event.occurredAtNanoseconds >= last[key, default: .min], "\(key) went back in time")
            last[key] = event.occurredAtNanoseconds
            // The stream as a whole is in occurredAt order too (flows interleave by time).
            #expect(event.occurredAtNanoseconds >= previous)
            previous = event.occurredAtNanoseconds
        }
        #expect(last.count > 1_000)
    }

    @Test func flowsInterleave() {
        var switches = 0
        for (previous, event) in zip(Samples.events, Samples.events.dropFirst())
        where previous.traceId != event.traceId {
            switches += 1
        }
        let traces = Set(Samples.events.map(\.traceId)).count
        #expect(switches > traces * 2)
    }

    @Test func eventIdsAreUniqueLowercaseUUIDs() {
        let ids = Samples.events.map(\.eventId)
        #expect(Set(ids).count == ids.count)
        let hex = Set("0123456789abcdef")
        for id in ids.prefix(2_000) {
            let groups = id.split(separator: "-", omittingEmptySubsequences: false).map(\.count)
            #expect(groups == [8, 4, 4, 4, 12])
            #expect(id.allSatisfy { $0 == "-" || hex.contains($0) })
        }
    }

    @Test func traceIdsAreW3CAndOnePerFlow() {
        let hex = Set("0123456789abcdef")
        var traceOfFlow: [Int: String] = [:]
        for event in Samples.events {
            #expect(event.traceId.count == 32 && event.traceId.allSatisfy { hex.contains($0) })
            if let known = traceOfFlow[event.flowIndex] { #expect(known == event.traceId) }
            traceOfFlow[event.flowIndex] = event.traceId
        }
        #expect(Set(traceOfFlow.values).count == traceOfFlow.count)
    }

    @Test func timestampsAreRFC3339WithMilliseconds() {
        #expect(RFC3339Timestamp.format(milliseconds: 1_793_610_903_123) == "2026-11-02T09:15:03.123Z")
        #expect(RFC3339Timestamp.format(milliseconds: 0) == "1970-01-01T00:00:00.000Z")
        #expect(RFC3339Timestamp.format(milliseconds: 951_782_400_000) == "2000-02-29T00:00:00.000Z")
        #expect(RFC3339Timestamp.parseMilliseconds("2026-11-02T09:15:03.123Z") == 1_793_610_903_123)
        #expect(RFC3339Timestamp.parseMilliseconds("2026-11-02T10:15:03.1234567+01:00") == 1_793_610_903_123)
        #expect(RFC3339Timestamp.parseMilliseconds("2026-11-02T09:15:03Z") == 1_793_610_903_000)
        #expect(RFC3339Timestamp.parseMilliseconds("2026-11-02 09:15:03Z") == nil)
        #expect(RFC3339Timestamp.parseMilliseconds("2026-11-02T09:15:03.Z") == nil)
        #expect(RFC3339Timestamp.parseMilliseconds("2026-11-02T09:15:03") == nil)
        for event in Samples.events.prefix(500) {
            #expect(
                RFC3339Timestamp.parseMilliseconds(event.occurredAt).map { $0 * 1_000_000 }
                    == event.occurredAtNanoseconds)
            #expect(event.occurredAt.count == 24 && event.occurredAt.hasSuffix("Z"))
        }
    }
}
