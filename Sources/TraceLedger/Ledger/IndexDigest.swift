import LMDBKit

/// An order-independent digest of index entries (key, position): the sum of a keyed hash of each entry, and
/// their count. `verifyIndexes` adds what every record says its indexes hold, walks each index in key order
/// adding what it does hold, and compares the two, so a million events need no random lookup per entry.
///
/// The hash is the standard library's SipHash, whose key is random per process, with a random salt per
/// digest: whoever writes an index cannot know the key, so cannot make a wrong index sum to the right digest
/// (a chance of about 2⁻⁶⁴). It checks derived data; the records themselves are checked by the hash chain.
struct IndexDigest: Equatable {
    private let salt: UInt64
    private var sum: UInt64 = 0
    private(set) var count = 0

    init(salt: UInt64) { self.salt = salt }

    /// A fresh salt, to give the expected and the found digest of one index.
    static func randomSalt() -> UInt64 { UInt64.random(in: .min ... .max) }

    mutating func add(key: UnsafeRawBufferPointer, position: UnsafeRawBufferPointer) {
        var hasher = Hasher()
        hasher.combine(salt)
        hasher.combine(key.count)
        hasher.combine(bytes: key)
        hasher.combine(bytes: position)
        sum &+= UInt64(bitPattern: Int64(hasher.finalize()))
        count += 1
    }

    /// The digest of what `databases` hold together: every key with each of its values (8-byte positions,
    /// duplicate-sorted).
    static func of(_ databases: [Database], salt: UInt64, in transaction: Transaction) throws -> IndexDigest {
        var digest = IndexDigest(salt: salt)
        for database in databases {
            try transaction.withCursor(on: database) { cursor in
                var entry = try cursor.first()
                while let current = entry {
                    try cursor.forEachPosition(ofCurrentKey: { digest.add(key: current.key, position: $0) })
                    entry = try cursor.nextKey()
                }
            }
        }
        return digest
    }
}
