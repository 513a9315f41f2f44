import TraceLedger

/// The Merkle tree's costs at the store's size: inclusion proofs and past roots for random positions and
/// sizes, each from its own snapshot as a server request makes them, and the tree's bytes per event.
enum ProofPhase {
    struct Figures {
        var inclusion = LatencySample()
        var pastRoot = LatencySample()
        var treeBytesPerEvent = 0.0
    }

    static func measure(_ ledger: Ledger, samples: Int = 2_000, seed: UInt64 = 7) throws -> Figures {
        var figures = Figures()
        let head = try ledger.head().position
        guard head > 1 else { return figures }
        var random = SplitMix(seed: seed)
        for _ in 0..<samples {
            let position = 1 + random.next() % head
            let start = monotonicNanoseconds()
            let proof = try ledger.read { try $0.inclusionProof(position: position) }
            figures.inclusion.record(monotonicNanoseconds() - start)
            guard !proof.path.isEmpty || head == 1 else { throw BenchError("an empty proof at size \(head)") }
        }
        for _ in 0..<samples {
            let size = 1 + random.next() % head
            let start = monotonicNanoseconds()
            _ = try ledger.read { try $0.merkleRoot(size: size) }
            figures.pastRoot.record(monotonicNanoseconds() - start)
        }
        let bytes = try ledger.statistics().bytesByDatabase["merkle"] ?? 0
        figures.treeBytesPerEvent = Double(bytes) / Double(head)
        return figures
    }

    /// A small deterministic generator (the bench's samples repeat from run to run).
    struct SplitMix {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}
