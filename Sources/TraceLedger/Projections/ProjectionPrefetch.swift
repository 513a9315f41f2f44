import Dispatch
import Foundation
import Synchronization

/// Reads, decodes and parses the events a rebuild folds next, on another core, while the writer folds the
/// ones before: the fold then spends its time on folding (decoding and parsing were a fifth of a rebuild).
///
/// The events come from read snapshots, not the fold's write transaction. Records below the head never
/// change except when an erasure replaces payloads by tombstones, so each run of events carries the store's
/// erasure count (`MetaKey.erasures`) it was read under, and the fold takes a run only when the count in its
/// own transaction is the same; otherwise it drops the prefetched events and reads for itself, as it does for
/// any position not prefetched. An erased payload is thus never folded from a copy read before the erasure.
///
/// Sendable: its state is guarded by a mutex; the producer is a thread of its own.
final class ProjectionPrefetch: Sendable {
    /// Events buffered ahead of the fold at most.
    static let window = 16_384
    /// Events read per snapshot.
    static let eventsPerRead = 1_024

    private struct Buffer {
        /// Events at consecutive positions from `first`.
        var events: [ProjectionEvent] = []
        var first: UInt64
        /// The erasure count the buffered events were read under.
        var erasures: UInt64?
        /// The first position the fold asked for: the producer skips ahead to it when behind.
        var wanted: UInt64 = 0
        var stopped = false
    }

    private let buffer: Mutex<Buffer>
    private let finished = DispatchSemaphore(value: 0)

    /// Starts reading at `position`, parsing the payloads of the events `concerns` says a fold needs.
    init(ledger: Ledger, from position: UInt64, concerns: @escaping @Sendable (Domain, String) -> Bool) {
        buffer = Mutex(Buffer(first: position))
        // A thread of its own: it runs for the whole rebuild and sleeps while the buffer is full, which a
        // dispatch worker shared with Swift concurrency should not.
        let thread = Thread { [self] in
            defer { finished.signal() }
            do {
                try produce(ledger: ledger, from: position, concerns: concerns)
            } catch {
                // The fold reads for itself what was not prefetched; its own read reports the error.
                buffer.withLock { $0.stopped = true }
            }
        }
        thread.name = "traceledger-prefetch"
        thread.start()
    }

    private func produce(ledger: Ledger, from start: UInt64, concerns: (Domain, String) -> Bool) throws {
        var next = start
        while true {
            while buffer.withLock({ !$0.stopped && $0.events.count >= Self.window }) { usleep(500) }
            let stopped = buffer.withLock { buffer in
                if buffer.wanted > next {
                    buffer.events.removeAll()
                    buffer.first = buffer.wanted
                    next = buffer.wanted
                }
                return buffer.stopped
            }
            if stopped { return }
            let read: (events: [ProjectionEvent], erasures: UInt64)? = try ledger.read { snapshot in
                let head = try snapshot.head().position
                guard next <= head else { return nil }
                var events: [ProjectionEvent] = []
                events.reserveCapacity(Self.eventsPerRead)
                try snapshot.forEachEvent(
                    from: next, through: min(head, next + UInt64(Self.eventsPerRead) - 1)
                ) {
                    events.append(ProjectionEvent($0, parsingPayload: concerns($0.domain, $0.type)))
                    return true
                }
                return (events, try CustomerErasure.count(in: snapshot))
            }
            guard let read else { return }
            let accepted = buffer.withLock { buffer in
                guard !buffer.stopped, buffer.erasures.map({ $0 == read.erasures }) ?? true else {
                    buffer.stopped = true
                    return false
                }
                if buffer.events.isEmpty { buffer.first = next }
                buffer.erasures = read.erasures
                buffer.events.append(contentsOf: read.events)
                return true
            }
            guard accepted else { return }
            next += UInt64(read.events.count)
        }
    }

    /// The prefetched events from `start` on, at most `count`, when at least `minimum` of them (or every one
    /// up to `count`) are there and were read under `erasures`; nil otherwise. Events before `start` are
    /// dropped.
    func take(from start: UInt64, count: Int, minimum: Int, erasures: UInt64) -> [ProjectionEvent]? {
        buffer.withLock { buffer in
            guard !buffer.stopped else { return nil }
            buffer.wanted = max(buffer.wanted, start)
            guard buffer.erasures == erasures else {
                if buffer.erasures != nil {
                    buffer.stopped = true
                    buffer.events.removeAll()
                }
                return nil
            }
            if start > buffer.first {
                let stale = Int(min(UInt64(buffer.events.count), start - buffer.first))
                buffer.events.removeFirst(stale)
                buffer.first += UInt64(stale)
            }
            guard buffer.first == start else { return nil }
            let available = min(count, buffer.events.count)
            guard available >= min(minimum, count), available > 0 else { return nil }
            let run = Array(buffer.events.prefix(available))
            buffer.events.removeFirst(available)
            buffer.first += UInt64(available)
            return run
        }
    }

    /// Stops the producer and waits for it to end.
    func stop() {
        buffer.withLock {
            $0.stopped = true
            $0.events.removeAll()
        }
        finished.wait()
        finished.signal()
    }
}
