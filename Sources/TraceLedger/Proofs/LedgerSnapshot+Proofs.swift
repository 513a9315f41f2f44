/// That an event is in the log: its leaf, and the audit path from it to the root of the tree of `treeSize`
/// events (RFC 6962 §2.1.1). Check it with `root()` against a signed checkpoint of that size.
///
/// Sendable: plain values.
public struct InclusionProof: Sendable, Equatable {
    public let position: UInt64
    public let treeSize: UInt64
    /// SHA-256(0x00 ‖ leaf) of the event at `position` (leaf index `position - 1`).
    public let leafHash: RFC6962.Hash
    /// From the leaf up.
    public let path: [RFC6962.Hash]

    public init(position: UInt64, treeSize: UInt64, leafHash: RFC6962.Hash, path: [RFC6962.Hash]) {
        self.position = position
        self.treeSize = treeSize
        self.leafHash = leafHash
        self.path = path
    }

    /// The root the proof leads to, or nil when it has the wrong shape.
    public func root() -> RFC6962.Hash? {
        guard position >= 1 else { return nil }
        return RFC6962.root(fromInclusionOf: leafHash, index: position - 1, size: treeSize, path: path)
    }
}

/// That the log of `newSize` events extends the log of `oldSize` events unchanged (RFC 6962 §2.1.2).
///
/// Sendable: plain values.
public struct ConsistencyProof: Sendable, Equatable {
    public let oldSize: UInt64
    public let newSize: UInt64
    public let path: [RFC6962.Hash]

    public init(oldSize: UInt64, newSize: UInt64, path: [RFC6962.Hash]) {
        self.oldSize = oldSize
        self.newSize = newSize
        self.path = path
    }

    /// Whether the proof shows the tree with root `oldRoot` a prefix of the tree with root `newRoot`.
    public func proves(oldRoot: RFC6962.Hash, newRoot: RFC6962.Hash) -> Bool {
        RFC6962.isConsistent(old: oldSize, new: newSize, oldRoot: oldRoot, newRoot: newRoot, path: path)
    }
}

extension LedgerSnapshot {
    /// The root of the tree of the first `size` events (the head's when nil): O(log n) stored nodes and at
    /// most a few dozen events read.
    ///
    /// - Throws: `LedgerError` `.invalidArgument` for a size beyond the head.
    public func merkleRoot(size: UInt64? = nil) throws -> (size: UInt64, root: RFC6962.Hash) {
        let head = try head().position
        let size = size ?? head
        try checkSize(size, head: head)
        if size == head { return (size, try MerkleTree.frontier(in: self).root) }
        return (size, try RFC6962.root(size: size) { try MerkleTree.subtree(start: $0, size: $1, in: self) })
    }

    /// The inclusion proof of the event at `position` in the tree of `treeSize` events (the head's when nil).
    ///
    /// - Throws: `LedgerError` `.notFound` for a position not in that tree.
    public func inclusionProof(position: UInt64, treeSize: UInt64? = nil) throws -> InclusionProof {
        let head = try head().position
        let size = treeSize ?? head
        try checkSize(size, head: head)
        guard position >= 1, position <= size else {
            throw LedgerError(
                .notFound,
                "position \(position) is not in the tree of \(size) events; give a position from 1 to \(size)"
            )
        }
        guard let event = try event(at: position) else {
            throw LedgerError(.corrupted, "the event at position \(position) is missing")
        }
        let path = try RFC6962.inclusionPath(index: position - 1, size: size) {
            try MerkleTree.subtree(start: $0, size: $1, in: self)
        }
        return InclusionProof(
            position: position, treeSize: size, leafHash: EventLeaf.hash(of: event), path: path)
    }

    /// The consistency proof from the tree of `oldSize` events to that of `newSize` (the head's when nil).
    public func consistencyProof(from oldSize: UInt64, to newSize: UInt64? = nil) throws -> ConsistencyProof {
        let head = try head().position
        let size = newSize ?? head
        try checkSize(size, head: head)
        guard oldSize <= size else {
            throw LedgerError(
                .invalidArgument,
                "the old size \(oldSize) is beyond \(size): the log never shrinks, so this store is not the one that "
                    + "made that checkpoint, or it lost events")
        }
        let path = try RFC6962.consistencyPath(old: oldSize, new: size) {
            try MerkleTree.subtree(start: $0, size: $1, in: self)
        }
        return ConsistencyProof(oldSize: oldSize, newSize: size, path: path)
    }

    private func checkSize(_ size: UInt64, head: UInt64) throws {
        guard size <= head else {
            throw LedgerError(
                .invalidArgument, "the log holds \(head) events: a tree of \(size) does not exist yet")
        }
    }
}
