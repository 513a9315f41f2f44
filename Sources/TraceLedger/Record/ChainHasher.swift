import Crypto

/// Computes the hash chain: hash(n) = SHA-256(hash(n-1) ‖ position (u64 BE) ‖ recordedAt (i64 BE) ‖ body),
/// over the uncompressed canonical body, so recompressing or a new dictionary never changes a hash.
enum ChainHasher {
    static func hash(previous: ChainHash, position: UInt64, recordedAt: Timestamp, body: [UInt8]) -> ChainHash
    {
        body.withUnsafeBytes {
            hash(previous: previous, position: position, recordedAt: recordedAt, body: $0)
        }
    }

    static func hash(
        previous: ChainHash, position: UInt64, recordedAt: Timestamp, body: UnsafeRawBufferPointer
    ) -> ChainHash {
        var hasher = SHA256()
        previous.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        var fields = (position.bigEndian, UInt64(bitPattern: recordedAt.nanosecondsSinceEpoch).bigEndian)
        withUnsafeBytes(of: &fields) { hasher.update(bufferPointer: $0) }
        hasher.update(bufferPointer: body)
        return hasher.finalize().withUnsafeBytes { ChainHash(copying: $0) }
    }
}
