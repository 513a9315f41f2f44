/// The keys a fold wrote into one projection generation that no snapshot holds yet: those of the chunk being
/// folded, and those of the chunk before it while the writer commits that one. The fold reads through them
/// (`FoldIndex`), so it goes on from its own writes without waiting for their commit.
///
/// Not Sendable: it belongs to one fold runner, used by one thread at a time (the engine hands the runners
/// from thread to thread, one chunk after another).
final class FoldWrites {
    /// Each key written by the chunk being folded, with its value after the chunk (nil: deleted).
    private var chunk: [[UInt8]: [UInt8]?] = [:]
    /// The keys of the chunk handed to the writer, until it is committed.
    private var committing: [[UInt8]: [UInt8]?] = [:]

    /// The value `key` was given by a write not yet committed: `.some(nil)` when it was deleted, nil when
    /// nothing uncommitted wrote it (the stored value holds).
    func written(_ key: [UInt8]) -> [UInt8]?? { chunk[key] ?? committing[key] }

    func put(_ key: [UInt8], _ value: [UInt8]) { chunk[key] = .some(value) }

    func delete(_ key: [UInt8]) { chunk.updateValue(nil, forKey: key) }

    /// Ends the chunk: its writes are returned, to be committed, and stay readable until `committed()`.
    func submit() -> [[UInt8]: [UInt8]?] {
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
    static func apply(_ writes: [[UInt8]: [UInt8]?], to index: ProjectionIndex) throws {
        for key in writes.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            if let value = writes[key]! { try index.put(key, value) } else { try index.delete(key) }
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
