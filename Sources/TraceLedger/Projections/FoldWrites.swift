/// The keys a fold wrote into one projection generation that no snapshot holds yet: those of the chunk being
/// folded, and those of the chunk before it while the writer commits that one. The fold reads through them
/// (`FoldIndex`), so it goes on from its own writes without waiting for their commit.
///
/// Not Sendable: it belongs to one fold runner, used by one thread at a time (the engine hands the runners
/// from thread to thread, one chunk after another).
final class FoldWrites {
    /// A key, hashed as one run of bytes (an array of bytes feeds the hasher one byte at a time).
    struct Key: Hashable, Sendable {
        let bytes: [UInt8]
        func hash(into hasher: inout Hasher) { bytes.withUnsafeBytes { hasher.combine(bytes: $0) } }
    }

    /// Keys with their values after a chunk (nil: deleted).
    typealias Values = [Key: [UInt8]?]

    /// Each key written by the chunk being folded, with its value after the chunk.
    private var chunk: Values = [:]
    /// The keys of the chunk handed to the writer, until it is committed.
    private var committing: Values = [:]

    /// The value `key` was given by a write not yet committed: `.some(nil)` when it was deleted, nil when
    /// nothing uncommitted wrote it (the stored value holds).
    func written(_ key: [UInt8]) -> [UInt8]?? {
        let key = Key(bytes: key)
        return chunk[key] ?? committing[key]
    }

    func put(_ key: [UInt8], _ value: [UInt8]) { chunk[Key(bytes: key)] = .some(value) }

    func delete(_ key: [UInt8]) { chunk.updateValue(nil, forKey: Key(bytes: key)) }

    /// Ends the chunk: its writes are returned, to be committed, and stay readable until `committed()`.
    func submit() -> Values {
        committing = chunk
        chunk = [:]
        return committing
    }

    /// The submitted writes are in the store: snapshots from now on hold them.
    func committed() { committing = [:] }

    /// Forgets every uncommitted write (the chunks they belong to will not be committed).
    func discard() {
        chunk = [:]
        committing = [:]
    }

    /// Puts `writes` into the generation `index` writes, in key order (neighbouring keys share their pages).
    static func apply(_ writes: Values, to index: ProjectionIndex) throws {
        for (key, value) in writes.sorted(by: { $0.key.bytes.lexicographicallyPrecedes($1.key.bytes) }) {
            if let value { try index.put(key.bytes, value) } else { try index.delete(key.bytes) }
        }
    }
}

/// A projection generation as a fold sees it: the keys of a snapshot (or of the writer's transaction) under
/// the fold's own writes that are not committed yet. Folds read and write their secondary keys through it.
///
/// Not Sendable: it holds a snapshot, bound to its thread.
struct FoldIndex {
    let stored: ProjectionIndex
    let writes: FoldWrites

    /// The value under `key`, or nil.
    func value(_ key: [UInt8]) throws -> [UInt8]? {
        if let written = writes.written(key) { return written }
        return try stored.value(key)
    }

    /// Calls `body` with the value under `key` (nil when absent); the buffer is valid only inside.
    func withValue<Result>(_ key: [UInt8], _ body: (UnsafeRawBufferPointer?) throws -> Result) throws
        -> Result
    {
        if let written = writes.written(key) {
            guard let written else { return try body(nil) }
            return try written.withUnsafeBytes { try body($0) }
        }
        return try stored.withValue(key, body)
    }

    func put(_ key: [UInt8], _ value: [UInt8] = []) { writes.put(key, value) }

    func delete(_ key: [UInt8]) { writes.delete(key) }
}
