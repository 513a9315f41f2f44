/// The right edge of the Merkle tree: the roots of the complete subtrees the tree of `size` leaves is made
/// of, one per 1-bit of `size`, largest first. Enough to append a leaf and to give the root, and what the
/// store keeps in `meta` (`merkle.frontier`) beside the nodes of height 4 and above (`MerkleTree`).
///
/// Sendable: plain values.
struct MerkleFrontier: Sendable, Equatable {
    private(set) var size: UInt64 = 0
    private(set) var hashes: [RFC6962.Hash] = []

    init() {}

    /// Adds the leaf at index `size`; `completed` is told of every complete subtree the leaf closes, with its
    /// level (height) and index at that level.
    mutating func append(
        _ leafHash: RFC6962.Hash,
        completed: (_ level: Int, _ index: UInt64, _ hash: RFC6962.Hash) throws -> Void
    ) rethrows {
        var hash = leafHash
        // Each trailing 1-bit of the old size is a complete subtree of the same height as what is being built.
        let merges = (~size).trailingZeroBitCount
        if merges > 0 {
            for level in 1...merges {
                hash = RFC6962.nodeHash(hashes.removeLast(), hash)
                try completed(level, size >> level, hash)
            }
        }
        hashes.append(hash)
        size += 1
    }

    /// The root: the subtrees folded from the right.
    var root: RFC6962.Hash {
        guard var root = hashes.last else { return RFC6962.emptyRoot }
        for hash in hashes.dropLast().reversed() { root = RFC6962.nodeHash(hash, root) }
        return root
    }

    /// size (u64 big-endian) ‖ the hashes.
    var encoded: [UInt8] { size.bigEndianBytes + hashes.flatMap { $0 } }

    init?(encoded bytes: [UInt8]) {
        guard bytes.count >= 8 else { return nil }
        size = UInt64(bigEndianBytes: bytes[0..<8])
        let rest = Array(bytes[8...])
        guard rest.count == size.nonzeroBitCount * 32 else { return nil }
        hashes = stride(from: 0, to: rest.count, by: 32).map { Array(rest[$0..<$0 + 32]) }
    }
}
