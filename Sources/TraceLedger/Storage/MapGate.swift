import Glibc
import LMDBKit

/// Lets the map grow while the store is in use. LMDB may change its map size only while no transaction of
/// the process is open, so every transaction (read or write) runs holding this gate shared, and growing it
/// (after MDB_MAP_FULL here, or MDB_MAP_RESIZED when another process grew it) holds it exclusively.
///
/// Sendable: a pthread read-write lock, whose operations are thread-safe; glibc's default prefers readers, so
/// a thread that already reads may read again.
final class MapGate: @unchecked Sendable {
    private let lock = UnsafeMutablePointer<pthread_rwlock_t>.allocate(capacity: 1)

    init() { pthread_rwlock_init(lock, nil) }

    deinit {
        pthread_rwlock_destroy(lock)
        lock.deallocate()
    }

    /// Runs `body` while no growth can happen.
    func shared<Result>(_ body: () throws -> Result) rethrows -> Result {
        pthread_rwlock_rdlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body()
    }

    /// Runs `body` with no transaction of this process open.
    func exclusive<Result>(_ body: () throws -> Result) rethrows -> Result {
        pthread_rwlock_wrlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body()
    }

    /// Doubles the map of `environment` (up to `limit`); false when it is already at the limit.
    func grow(_ environment: Environment, limit: Int) throws -> Bool {
        try exclusive {
            let current = environment.info().mapSize
            guard current < limit else { return false }
            try environment.setMapSize(min(limit, current * 2))
            return true
        }
    }

    /// Takes up the map size another process set (after MDB_MAP_RESIZED).
    func adoptResize(_ environment: Environment) throws {
        try exclusive { try environment.setMapSize(0) }
    }
}
