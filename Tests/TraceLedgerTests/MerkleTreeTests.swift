import Testing
import TraceLedger
import TraceLedgerTesting
import TraceLedgerWorkload

/// The store's Merkle tree, kept by the appends, against one computed here from every event's leaf.
@Suite struct MerkleTreeTests {
    /// A store of `count` events appended in batches of various sizes (so nodes complete inside batches and
    /// across them).
    static func store(count: Int) async throws -> TemporaryStore {
        let store = try TemporaryStore()
        let lines = WorkloadGenerator.lines(seed: 11, count: count)
        var start = 0
        var size = 1
        while start < lines.count {
            let end = min(start + size, lines.count)
            _ = try await store.ledger.append(
                EventDecoder().decodeBatch(lines[start..<end].joined(separator: "\n")).get())
            start = end
            size = size % 37 + 3
        }
        return store
    }

    /// Roots computed from the leaves alone, at every size.
    static func referenceSubtree(_ hashes: [[UInt8]]) -> (UInt64, UInt64) -> [UInt8] {
        func subtree(_ start: UInt64, _ size: UInt64) -> [UInt8] {
            size == 1
                ? hashes[Int(start)]
                : RFC6962.nodeHash(subtree(start, size / 2), subtree(start + size / 2, size / 2))
        }
        return subtree
    }

    @Test func rootsProofsAndTheEdgeAgreeWithATreeBuiltFromTheLeaves() async throws {
        let store = try await Self.store(count: 300)
        let events = try store.ledger.events(matching: EventQuery())
        #expect(events.count == 300)
        let subtree = Self.referenceSubtree(events.map(EventLeaf.hash(of:)))
        try store.ledger.read { snapshot in
            for size in [1, 2, 15, 16, 17, 31, 32, 33, 64, 100, 255, 256, 257, 299, 300] as [UInt64] {
                let expected = RFC6962.root(size: size, subtree: subtree)
                #expect(try snapshot.merkleRoot(size: size).root == expected, "size \(size)")
            }
            #expect(try snapshot.merkleRoot().size == 300)
            for position in [1, 2, 16, 17, 150, 256, 257, 300] as [UInt64] {
                for size in [position, 257, 300] where size >= position {
                    let proof = try snapshot.inclusionProof(position: position, treeSize: size)
                    #expect(
                        proof.root() == RFC6962.root(size: size, subtree: subtree), "\(position) in \(size)")
                    #expect(
                        proof.path == RFC6962.inclusionPath(index: position - 1, size: size, subtree: subtree)
                    )
                }
            }
            for (old, new) in [(1, 300), (16, 17), (17, 300), (100, 256), (256, 300), (300, 300)]
                as [(UInt64, UInt64)]
            {
                let proof = try snapshot.consistencyProof(from: old, to: new)
                #expect(
                    proof.proves(
                        oldRoot: RFC6962.root(size: old, subtree: subtree),
                        newRoot: RFC6962.root(size: new, subtree: subtree)),
                    "\(old) → \(new)")
            }
        }
        #expect(try store.ledger.verifyIndexes().isEmpty)
    }

    @Test func repairRebuildsTheSameTreeAndAReopenedStoreGoesOn() async throws {
        let store = try await Self.store(count: 70)
        let root = try store.ledger.read { try $0.merkleRoot().root }
        #expect(try await store.ledger.repairIndexes() == 70)
        #expect(try store.ledger.read { try $0.merkleRoot().root } == root)
        let reopened = try Ledger.open(at: store.path)
        _ = try await reopened.append(
            EventDecoder().decodeBatch(WorkloadGenerator.lines(seed: 12, count: 30).joined(separator: "\n"))
                .get())
        let events = try reopened.events(matching: EventQuery())
        let subtree = Self.referenceSubtree(events.map(EventLeaf.hash(of:)))
        #expect(try reopened.read { try $0.merkleRoot().root } == RFC6962.root(size: 100, subtree: subtree))
        #expect(try reopened.verifyIndexes().isEmpty)
    }

    @Test func sizesBeyondTheHeadAreClearErrors() async throws {
        let store = try await Self.store(count: 5)
        let ledger = store.ledger
        #expect(throws: LedgerError.self) { try ledger.read { try $0.merkleRoot(size: 6) } }
        #expect(throws: LedgerError.self) { try ledger.read { try $0.inclusionProof(position: 6) } }
        #expect(throws: LedgerError.self) { try ledger.read { try $0.consistencyProof(from: 6) } }
        #expect(try ledger.read { try $0.merkleRoot(size: 0).root } == RFC6962.emptyRoot)
    }
}
