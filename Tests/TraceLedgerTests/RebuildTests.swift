import JSONKit
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
            let progress = try await projections.catchUp()
            #expect(progress.position == UInt64(min(lines.count, start + 3_000)))
        }
        let incremental = try projections.statuses()
        #expect(incremental.map(\.domain) == Domain.projected)
        #expect(incremental.allSatisfy { $0.checkpoint == 20_000 && $0.entities > 0 })
        let rebuilt = try await ProjectionEngine(ledger: store.ledger).rebuild()
        #expect(rebuilt.position == 20_000)
        let afterRebuild = try projections.statuses()
        #expect(afterRebuild.map(\.digest) == incremental.map(\.digest))
        #expect(afterRebuild.map(\.entities) == incremental.map(\.entities))
        // Each rebuilt projection is a generation no one wrote before.
        for (old, new) in zip(incremental, afterRebuild) { #expect(new.generation > old.generation) }
    }

    @Test func rebuildingOneDomainLeavesTheOthersAndReplacesItsDatabase() async throws {
        let store = try TemporaryStore()
        let projections = try await store.project(WorkloadGenerator.lines(seed: 3, count: 2_000))
        let before = try projections.statuses()
        try await projections.rebuild([.stock])
        let after = try projections.statuses()
        #expect(after.map(\.digest) == before.map(\.digest))
        for (old, new) in zip(before, after) {
            #expect(new.domain == .stock ? new.generation > old.generation : new.generation == old.generation)
        }
        // Rebuilds replace generations again and again; the old ones' data is deleted, not piled up.
        let entries = try store.ledger.statistics().projectionEntries
        for _ in 0..<12 { try await projections.rebuild() }
        #expect(try projections.statuses().map(\.digest) == before.map(\.digest))
        #expect(try store.ledger.statistics().projectionEntries == entries)
    }

    /// Chunks far from the head are folded off the writer while the one before is committed; two catch-ups of
    /// the same projections race, so one of them finds its chunk's projection moved and folds again from there,
    /// one of them with a cache so small that it reads states again through its uncommitted keys. Beside appends
    /// the fold goes on on the writer.
    @Test func catchUpsRacingEachOtherAndAppendsAgreeWithAQuietRebuild() async throws {
        let store = try TemporaryStore()
        let lines = WorkloadGenerator.lines(seed: 5, count: 24_000)
        let decoder = EventDecoder()
        let events = try lines.map { try decoder.decode($0) }
        _ = try await store.ledger.append(Array(events[..<16_000]))
        let first = ProjectionEngine(ledger: store.ledger, eventsPerTransaction: 700)
        // A cache of 50 states is emptied after every chunk: states are read again, through the uncommitted keys.
        let second = ProjectionEngine(
            ledger: store.ledger, eventsPerTransaction: 900, statesCachedPerProjection: 50)
        async let a = first.catchUp()
        async let b = second.catchUp()
        #expect(try await [a.position, b.position] == [16_000, 16_000])
        let raced = try first.statuses().map(\.digest)
        try await ProjectionEngine(ledger: store.ledger).rebuild()
        #expect(try first.statuses().map(\.digest) == raced)
        let ledger = store.ledger
        async let appended: Void = {
            for start in stride(from: 16_000, to: 24_000, by: 400) {
                _ = try await ledger.append(Array(events[start..<start + 400]))
            }
        }()
        async let c = first.catchUp()
        async let d = second.catchUp()
        _ = try await (c, d, appended)
        #expect(try await first.catchUp().position == 24_000)
        let caughtUp = try first.statuses()
        #expect(caughtUp.allSatisfy { $0.checkpoint == 24_000 })
        try await ProjectionEngine(ledger: store.ledger, eventsPerTransaction: 1_000_000).rebuild()
        #expect(try first.statuses().map(\.digest) == caughtUp.map(\.digest))
        // And each entity as the time-travel fold, which folds its own events without chunks or caches, sees it
        // (but for a customer's `duplicates`, which the current state reads from the projection's e-mail and VAT
        // keys).
        let entities = Set(events.map(\.content.streamKey)).filter { Domain.projected.contains($0.domain) }
        var compared = 0
        for entity in entities {
            guard let projected = try first.state(of: entity) else { continue }
            let asOf = try #require(try first.state(of: entity, asOf: LogInstant(position: 24_000)))
            let fields = projected.fields.members.filter { $0.key != "duplicates" }
            #expect(asOf.fields.members.map(\.key) == fields.map(\.key), "\(entity)")
            #expect(asOf.fields.members.map(\.value) == fields.map(\.value), "\(entity)")
            #expect(asOf.lastPosition == projected.lastPosition, "\(entity)")
            compared += 1
        }
        #expect(compared > 1_000)
    }

    @Test func anEmptyLogProjectsToEmptyState() async throws {
        let store = try TemporaryStore()
        let projections = ProjectionEngine(ledger: store.ledger)
        #expect(try await projections.catchUp().position == 0)
        #expect(try projections.statuses().allSatisfy { $0.entities == 0 && $0.checkpoint == 0 })
        #expect(try await projections.rebuild().position == 0)
    }
}
