import Foundation
import JSONKit
import Testing
import TraceLedgerTesting
import TraceLedgerWorkload

@testable import TraceLedger

/// The rebuild's prefetcher never hands the fold a payload read before an erasure replaced it.
@Suite struct ProjectionPrefetchTests {
    /// Takes the next events once the prefetcher has them (it reads on another thread).
    func awaitTake(_ prefetch: ProjectionPrefetch, from start: UInt64, erasures: UInt64) async throws
        -> [ProjectionEvent]
    {
        for _ in 0..<500 {
            if let run = prefetch.take(from: start, count: 100, minimum: 100, erasures: erasures) {
                return run
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("the prefetcher read nothing in 5 s")
        return []
    }

    @Test func anErasureAfterThePrefetchMakesTheFoldReadForItself() async throws {
        let store = try TemporaryStore()
        let decoder = EventDecoder()
        _ = try await store.ledger.append(
            try WorkloadGenerator.lines(seed: 7, count: 3_000).map { try decoder.decode($0) })
        let customer = try #require(
            try store.ledger.events(matching: EventQuery()).first { $0.domain == .customer }?.entityId)
        let prefetch = ProjectionPrefetch(ledger: store.ledger, from: 1) { _, _ in true }
        defer { prefetch.stop() }

        let first = try await awaitTake(prefetch, from: 1, erasures: 0)
        #expect(first.map(\.position) == Array(1...100))
        #expect(first.allSatisfy { $0.payload != .null })

        let erasure = try await store.ledger.erase(customer: customer, actor: "user:dpo", reason: "request")
        #expect(!erasure.erasedPositions.isEmpty)
        let count = try store.ledger.read { try CustomerErasure.count(in: $0) }
        #expect(count == UInt64(erasure.erasedPositions.count))
        // What was read before the erasure is not handed out under the new count, nor ever again.
        #expect(prefetch.take(from: 101, count: 100, minimum: 1, erasures: count) == nil)
        #expect(prefetch.take(from: 101, count: 100, minimum: 1, erasures: 0) == nil)

        // A rebuild after the erasure folds the tombstones, as a catch-up does.
        let projections = ProjectionEngine(ledger: store.ledger)
        try await projections.catchUp()
        let caughtUp = try projections.statuses().map(\.digest)
        try await projections.rebuild()
        #expect(try projections.statuses().map(\.digest) == caughtUp)
    }
}
