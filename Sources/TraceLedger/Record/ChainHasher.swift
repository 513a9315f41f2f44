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
        hasher.update(data: previous.bytes)
        var writer = ByteWriter(capacity: 16)
        writer.append(position)
        writer.append(recordedAt.nanosecondsSinceEpoch)
        hasher.update(data: writer.bytes)
        hasher.update(bufferPointer: body)
        return ChainHash(bytes: Array(hasher.finalize()))
    }
}
