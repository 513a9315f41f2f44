import Synchronization
import TraceLedger

/// The outcome of the last chain verification this server ran (from the console or `GET /v1/verify`), for the
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

    func record(_ entry: Entry) { last.withLock { $0 = entry } }
}
