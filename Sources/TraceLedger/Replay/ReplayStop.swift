import Synchronization

/// Asks a running replay to stop after the window it is delivering (its checkpoint saved): how
/// `replay --follow` ends on SIGINT or SIGTERM without resending anything it had delivered.
///
/// Sendable: a flag behind a mutex.
public final class ReplayStop: Sendable {
    private let requested = Mutex(false)

    public init() {}

    /// Stop at the next window boundary (a waiting follower notices within a second).
    public func request() { requested.withLock { $0 = true } }

    public var isRequested: Bool { requested.withLock { $0 } }
}
