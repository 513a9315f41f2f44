import Crypto

/// The Merkle tree of RFC 6962 (Certificate Transparency; RFC 9162 §2.1): hashes, proofs and their checks.
///
/// Leaf hash = SHA-256(0x00 ‖ leaf), node hash = SHA-256(0x01 ‖ left ‖ right), the root of the empty tree is
/// SHA-256 of nothing. The proof functions build on `subtree(start, size)`, the hash of an aligned complete
/// subtree (size a power of two, start a multiple of it): the store answers it from its stored nodes and
/// leaves, a test from a list of leaves.
public enum RFC6962 {
    /// A SHA-256 digest: 32 bytes.
    public typealias Hash = [UInt8]

    public static func leafHash(_ leaf: [UInt8]) -> Hash {
        var hasher = SHA256()
        withUnsafeBytes(of: UInt8(0)) { hasher.update(bufferPointer: $0) }
        // Hashed where the bytes lie (the appender's leaf, once per event), not copied into a new array.
        hasher.update(data: leaf)
        return bytes(of: hasher.finalize())
    }

    public static func nodeHash(_ left: Hash, _ right: Hash) -> Hash {
        var hasher = SHA256()
        withUnsafeBytes(of: UInt8(1)) { hasher.update(bufferPointer: $0) }
        hasher.update(data: left)
        hasher.update(data: right)
        return bytes(of: hasher.finalize())
    }

    /// A digest's 32 bytes, copied at once (`Array(digest)` walks it as a sequence, byte by byte).
    private static func bytes(of digest: SHA256.Digest) -> Hash { digest.withUnsafeBytes { Array($0) } }

    /// The root of the tree of no leaves.
    public static let emptyRoot: Hash = Array(SHA256.hash(data: [UInt8]()))

    /// The largest power of two smaller than `n` (n ≥ 2).
    static func split(_ n: UInt64) -> UInt64 { 1 << (63 - (n - 1).leadingZeroBitCount) }

    /// MTH(D[start ..< start + size]) for any size ≥ 1, from aligned complete subtrees.
    static func hash(
        start: UInt64, size: UInt64, subtree: (_ start: UInt64, _ size: UInt64) throws -> Hash
    ) rethrows -> Hash {
        if size & (size - 1) == 0 { return try subtree(start, size) }
        let k = split(size)
        return nodeHash(
            try hash(start: start, size: k, subtree: subtree),
            try hash(start: start + k, size: size - k, subtree: subtree))
    }

    /// The root of the first `size` leaves.
    public static func root(size: UInt64, subtree: (UInt64, UInt64) throws -> Hash) rethrows -> Hash {
        size == 0 ? emptyRoot : try hash(start: 0, size: size, subtree: subtree)
    }

    /// PATH(index, D[0 ..< size]): the audit path of the leaf at `index` (0-based).
    public static func inclusionPath(index: UInt64, size: UInt64, subtree: (UInt64, UInt64) throws -> Hash)
        rethrows -> [Hash]
    {
        precondition(index < size, "the leaf must be in the tree")
        var path: [Hash] = []
        var (start, count, index) = (UInt64(0), size, index)
        // Walk down from the root, collecting the sibling of each subtree the leaf is in; the path lists them
        // from the leaf up.
        while count > 1 {
            let k = split(count)
            if index < k {
                path.append(try hash(start: start + k, size: count - k, subtree: subtree))
                count = k
            } else {
                path.append(try hash(start: start, size: k, subtree: subtree))
                start += k
                index -= k
                count -= k
            }
        }
        return path.reversed()
    }

    /// PROOF(old, D[0 ..< new]): the consistency proof from the tree of `old` leaves to that of `new`.
    public static func consistencyPath(old: UInt64, new: UInt64, subtree: (UInt64, UInt64) throws -> Hash)
        rethrows -> [Hash]
    {
        precondition(old <= new, "a tree only grows")
        guard old > 0, old < new else { return [] }
        var path: [Hash] = []
        var (start, count, m, complete) = (UInt64(0), new, old, true)
        while m != count {
            let k = split(count)
            if m <= k {
                path.append(try hash(start: start + k, size: count - k, subtree: subtree))
                count = k
            } else {
                path.append(try hash(start: start, size: k, subtree: subtree))
                start += k
                m -= k
                count -= k
                complete = false
            }
        }
        if !complete { path.append(try hash(start: start, size: count, subtree: subtree)) }
        return path.reversed()
    }

    /// The root an inclusion proof leads to (RFC 9162 §2.1.3.2), or nil when the proof has the wrong shape.
    public static func root(fromInclusionOf leafHash: Hash, index: UInt64, size: UInt64, path: [Hash])
        -> Hash?
    {
        guard index < size else { return nil }
        var (fn, sn, r) = (index, size - 1, leafHash)
        for p in path {
            guard sn != 0, p.count == 32 else { return nil }
            if fn & 1 == 1 || fn == sn {
                r = nodeHash(p, r)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                r = nodeHash(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 ? r : nil
    }

    /// Whether `path` proves the tree of `old` leaves with root `oldRoot` a prefix of the tree of `new` leaves
    /// with root `newRoot` (RFC 9162 §2.1.4.2).
    public static func isConsistent(old: UInt64, new: UInt64, oldRoot: Hash, newRoot: Hash, path: [Hash])
        -> Bool
    {
        guard old <= new else { return false }
        if old == new { return path.isEmpty && oldRoot == newRoot }
        if old == 0 { return path.isEmpty }
        guard !path.isEmpty, path.allSatisfy({ $0.count == 32 }) else { return false }
        var proof = path
        if old & (old - 1) == 0 { proof.insert(oldRoot, at: 0) }
        var (fn, sn) = (old - 1, new - 1)
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var (fr, sr) = (proof[0], proof[0])
        for c in proof.dropFirst() {
            guard sn != 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                fr = nodeHash(c, fr)
                sr = nodeHash(c, sr)
                while fn & 1 == 0 && fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                sr = nodeHash(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        return fr == oldRoot && sr == newRoot && sn == 0
    }
}
