import Dispatch
import Synchronization

/// Tells waiters when the writer commits new events: the live tail, `replay --follow` and anything else that
/// follows the head wait here instead of polling the store.
///
/// Commits made by other processes on the same store are not seen here; `waitForHead(after:timeout:)` returns
/// after its timeout anyway, so a follower re-reads the head now and then and never misses them for long.
///
/// Sendable: the head and the waiters are guarded by a mutex.
final class CommitNotifier: Sendable {
    private struct State {
        var head: UInt64 = 0
        var closed = false
        var waiters: [UInt64: (after: UInt64, continuation: CheckedContinuation<UInt64, Never>)] = [:]
        var nextWaiter: UInt64 = 0
    }

    private let state = Mutex(State())

    /// The head of this process's last commit that moved it (0 before the first).
    var head: UInt64 { state.withLock { $0.head } }

    /// Called by the writer after a commit that moved the head to `head`.
    func publish(_ head: UInt64) {
        let ready = state.withLock { state -> [CheckedContinuation<UInt64, Never>] in
            state.head = max(state.head, head)
            let due = state.waiters.filter { $0.value.after < state.head }
            for key in due.keys { state.waiters.removeValue(forKey: key) }
            return due.map(\.value.continuation)
        }
        for continuation in ready { continuation.resume(returning: head) }
    }

    /// Wakes every waiter and makes later waits return at once (the ledger is closing).
    func close() {
        let all = state.withLock { state -> [CheckedContinuation<UInt64, Never>] in
            state.closed = true
            defer { state.waiters = [:] }
            return state.waiters.values.map(\.continuation)
        }
        let head = state.withLock { $0.head }
        for continuation in all { continuation.resume(returning: head) }
    }

    /// Returns once this process has committed past `position`, the ledger closed, `timeout` passed, or the
    /// task was cancelled; the caller re-reads the head either way.
    ///
    /// One continuation and one dispatch timer per wait (no child tasks): a hundred live tails waiting on
    /// hundreds of commits a second stay cheap.
    func waitForHead(after position: UInt64, timeout: Duration) async {
        let id: UInt64? = state.withLock { state in
            if state.closed || state.head > position { return nil }
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        guard let id else { return }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<UInt64, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.closed || state.head > position || Task.isCancelled { return true }
                    state.waiters[id] = (position, continuation)
                    return false
                }
                if resumeNow {
                    continuation.resume(returning: 0)
                    return
                }
                let nanoseconds =
                    timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds
                    / 1_000_000_000
                DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(nanoseconds))) {
                    self.cancel(id)
                }
            }
        } onCancel: {
            cancel(id)
        }
    }

    private func cancel(_ id: UInt64) {
        let continuation = state.withLock { $0.waiters.removeValue(forKey: id)?.continuation }
        continuation?.resume(returning: 0)
    }
}
