import Glibc

/// A lock on the store that every TraceLedger process holds shared while it has the store open, and that
/// `traceledger compact` takes exclusively, so it never replaces the file under a process that has it mapped.
/// A `flock` on `traceledger.lock` in the store (never replaced, unlike data.mdb); independent of LMDB's own
/// locks. Released when the last reference goes.
///
/// Sendable: the descriptor is only closed, once, in deinit.
final class StoreLock: Sendable {
    private let descriptor: Int32

    static func fileName(in path: String) -> String { path + "/traceledger.lock" }

    /// Takes the lock. Shared: waits up to `timeout` while a compaction holds it. Exclusive: fails at once when
    /// another process has the store open.
    ///
    /// - Returns: nil when the store is read-only to this user (no lock can be made, and no compaction).
    /// - Throws: `LedgerError` `.unavailable` when the lock cannot be had.
    static func take(_ path: String, exclusive: Bool, timeout: Duration = .seconds(30)) throws -> StoreLock? {
        let descriptor = open(fileName(in: path), O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            if errno == EACCES || errno == EROFS { return nil }
            throw LedgerError(
                .storage, "cannot open \(fileName(in: path)): \(String(cString: strerror(errno)))")
        }
        let deadline = ContinuousClock.now + timeout
        while flock(descriptor, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                close(descriptor)
                throw LedgerError(.storage, "cannot lock \(path): \(String(cString: strerror(errno)))")
            }
            guard !exclusive, ContinuousClock.now < deadline else {
                close(descriptor)
                throw LedgerError(
                    .unavailable,
                    exclusive
                        ? "the store at \(path) is open in another process (a server, a replay, a tail…): stop it, "
                            + "then run this again"
                        : "the store at \(path) is being compacted: try again when `traceledger compact` is done"
                )
            }
            usleep(50_000)
        }
        return StoreLock(descriptor: descriptor)
    }

    private init(descriptor: Int32) { self.descriptor = descriptor }

    deinit { close(descriptor) }
}
