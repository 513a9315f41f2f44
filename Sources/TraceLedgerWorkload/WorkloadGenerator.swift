/// The workload: an endless, deterministic stream of events from realistic commerce flows,
/// interleaved in time the way real traffic is.
///
/// Iterate it for events (`prefix(_:)` stops at exactly N), or call `flows()` for the same
/// flows one at a time with their ground truth. Memory stays flat: flows are planned as the
/// stream reaches their start time and dropped once their last event has been emitted.
///
/// ```swift
/// var configuration = WorkloadConfiguration.realistic
/// configuration.seed = 7
/// for event in WorkloadGenerator(configuration).prefix(10_000) {
///     print(event.line)
/// }
/// ```
///
/// Sendable: it only holds its configuration; each iteration starts from the seed.
public struct WorkloadGenerator: Sequence, Sendable {
    /// What this generator produces.
    public let configuration: WorkloadConfiguration

    /// A generator for `configuration`.
    public init(_ configuration: WorkloadConfiguration = .realistic) {
        self.configuration = configuration
    }

    /// A generator with the realistic defaults and `seed`.
    public init(seed: UInt64) {
        var configuration = WorkloadConfiguration.realistic
        configuration.seed = seed
        self.init(configuration)
    }

    /// A fresh pass over the event stream, from the first event.
    public func makeIterator() -> EventIterator {
        EventIterator(factory: FlowFactory(configuration: configuration))
    }

    /// The same workload as whole flows in start order (not interleaved), each with its events
    /// and ground truth. Merging the flows' events by (occurredAt, flow index, order within the
    /// flow) gives exactly the event stream.
    public func flows() -> FlowSequence {
        FlowSequence(configuration: configuration)
    }

    /// The first `count` NDJSON lines (no newlines) for `seed` with the realistic defaults.
    public static func lines(seed: UInt64, count: Int) -> [String] {
        WorkloadGenerator(seed: seed).prefix(count).map(\.line)
    }

    /// Emits the events of the open flows in time order, opening flows as their start comes.
    ///
    /// Sendable: value state only.
    public struct EventIterator: IteratorProtocol, Sendable {
        /// A flow being emitted and the position of its next event.
        private struct OpenFlow: Sendable {
            let events: [GeneratedEvent]
            let index: Int
            var next = 0
            var time: Int64 { events[next].occurredAtNanoseconds }
        }

        private var factory: FlowFactory
        private var upcoming: GeneratedFlow?
        private var heap: [OpenFlow] = []

        init(factory: FlowFactory) {
            self.factory = factory
        }

        /// The next event in occurredAt order; never `nil` (the workload is endless).
        public mutating func next() -> GeneratedEvent? {
            while true {
                let flow = upcoming ?? factory.nextFlow()
                upcoming = flow
                guard let first = flow.events.first else {
                    upcoming = nil
                    continue
                }
                guard heap.isEmpty || first.occurredAtNanoseconds <= heap[0].time else { break }
                push(OpenFlow(events: flow.events, index: flow.index))
                upcoming = nil
            }
            let event = heap[0].events[heap[0].next]
            heap[0].next += 1
            if heap[0].next == heap[0].events.count {
                let last = heap.removeLast()
                if !heap.isEmpty {
                    heap[0] = last
                    siftDown(0)
                }
            } else {
                siftDown(0)
            }
            return event
        }

        private static func precedes(_ a: OpenFlow, _ b: OpenFlow) -> Bool {
            (a.time, a.index) < (b.time, b.index)
        }

        private mutating func push(_ flow: OpenFlow) {
            heap.append(flow)
            var child = heap.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard Self.precedes(heap[child], heap[parent]) else { break }
                heap.swapAt(child, parent)
                child = parent
            }
        }

        private mutating func siftDown(_ start: Int) {
            var parent = start
            while true {
                let left = 2 * parent + 1
                guard left < heap.count else { return }
                var smallest = left
                if left + 1 < heap.count, Self.precedes(heap[left + 1], heap[left]) { smallest = left + 1 }
                guard Self.precedes(heap[smallest], heap[parent]) else { return }
                heap.swapAt(smallest, parent)
                parent = smallest
            }
        }
    }
}

/// The workload's flows in start order, each with its events and ground truth; endless.
///
/// Sendable: it only holds its configuration.
public struct FlowSequence: Sequence, Sendable {
    let configuration: WorkloadConfiguration

    /// A fresh pass over the flows, from the first.
    public func makeIterator() -> Iterator {
        Iterator(factory: FlowFactory(configuration: configuration))
    }

    /// Plans flows one at a time. Sendable: value state only.
    public struct Iterator: IteratorProtocol, Sendable {
        var factory: FlowFactory

        /// The next flow; never `nil`.
        public mutating func next() -> GeneratedFlow? {
            factory.nextFlow()
        }
    }
}
