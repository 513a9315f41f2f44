import Testing
import TraceLedger
import TraceLedgerTesting
import TraceLedgerWorkload

/// Rebuilding from position 1 gives byte-identical state to catching up chunk by chunk, and swaps atomically.
@Suite struct RebuildTests {
    @Test func rebuildEqualsIncrementalCatchUpOnALargeWorkload() async throws {
        let store = try TemporaryStore()
        let lines = WorkloadGenerator.lines(seed: 11, count: 20_000)
        let decoder = EventDecoder()
        // Small transactions too, so chunk boundaries fall inside entities' histories.
        let projections = ProjectionEngine(ledger: store.ledger, eventsPerTransaction: 1_500)
        for start in stride(from: 0, to: lines.count, by: 3_000) {
            let chunk = try lines[start..<min(lines.count, start + 3_000)].map { try decoder.decode($0) }
            _ = try await store.ledger.append(chunk)
            let progress = try projections.catchUp()
            #expect(progress.position == UInt64(min(lines.count, start + 3_000)))
        }
        let incremental = try projections.statuses()
        #expect(incremental.map(\.domain) == Domain.projected)
        #expect(incremental.allSatisfy { $0.checkpoint == 20_000 && $0.entities > 0 })
        let rebuilt = try ProjectionEngine(ledger: store.ledger).rebuild()
        #expect(rebuilt.position == 20_000)
        let afterRebuild = try projections.statuses()
        #expect(afterRebuild.map(\.digest) == incremental.map(\.digest))
        #expect(afterRebuild.map(\.entities) == incremental.map(\.entities))
        #expect(afterRebuild.allSatisfy { $0.generation == 2 })
    }

    @Test func rebuildingOneDomainLeavesTheOthersAndReplacesItsDatabase() async throws {
        let store = try TemporaryStore()
        let projections = try await store.project(WorkloadGenerator.lines(seed: 3, count: 2_000))
        let before = try projections.statuses()
        try projections.rebuild([.stock])
        let after = try projections.statuses()
        #expect(after.map(\.digest) == before.map(\.digest))
        #expect(after.first { $0.domain == .stock }?.generation == 2)
        #expect(after.filter { $0.domain != .stock }.allSatisfy { $0.generation == 1 })
        // A second rebuild replaces the generation again; the old databases are dropped, not piled up.
        for _ in 0..<12 { try projections.rebuild() }  // 60 databases made: more than the environment holds at once
        #expect(try projections.statuses().map(\.digest) == before.map(\.digest))
    }

    @Test func anEmptyLogProjectsToEmptyState() throws {
        let store = try TemporaryStore()
        let projections = ProjectionEngine(ledger: store.ledger)
        #expect(try projections.catchUp().position == 0)
        #expect(try projections.statuses().allSatisfy { $0.entities == 0 && $0.checkpoint == 0 })
        #expect(try projections.rebuild().position == 0)
    }
}
