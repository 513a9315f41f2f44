import Dispatch
import Glibc

/// Turns SIGINT and SIGTERM into a call of `stop` (instead of ending the process), so a following replay or a
/// tail finishes its window and saves its checkpoint before it exits.
///
/// Sendable: the dispatch sources are only created and cancelled.
final class StopSignals: @unchecked Sendable {
    private let sources: [any DispatchSourceSignal]

    init(_ stop: @escaping @Sendable () -> Void) {
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: stop)
            source.resume()
            return source
        }
    }

    func cancel() { for source in sources { source.cancel() } }
}
