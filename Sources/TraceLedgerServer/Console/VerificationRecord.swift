import Foundation
import Synchronization
import TraceLedger

/// The outcome of the last verification this server ran (from the console or `GET /v1/verify`), for the
/// integrity page: verifying a large store takes a while, so the page shows the last result and its time.
///
/// Sendable: behind a mutex.
final class VerificationRecord: Sendable {
    struct Entry: Sendable {
        let result: VerificationResult
        let damagedIndexes: [IndexDamage]
        let at: Timestamp
        let seconds: Double
    }

    private let last = Mutex<Entry?>(nil)

    var entry: Entry? { last.withLock { $0 } }

    /// Walks the chain and, when it is intact, checks every index against the records (off the caller's
    /// thread: it reads the whole store); remembers and returns the outcome.
    func verify(_ ledger: Ledger) async throws -> Entry {
        let started = ContinuousClock.now
        let (result, damage) = try await Task.detached { () throws -> (VerificationResult, [IndexDamage]) in
            let result = try ledger.verify()
            guard case .intact = result else { return (result, []) }
            return (result, try ledger.verifyIndexes())
        }.value
        let elapsed = (ContinuousClock.now - started).components
        let entry = Entry(
            result: result, damagedIndexes: damage, at: .now(),
            seconds: Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18)
        last.withLock { $0 = entry }
        return entry
    }
}
