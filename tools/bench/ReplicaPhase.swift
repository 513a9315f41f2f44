import Foundation
import Synchronization
import TraceLedger
import TraceLedgerSinks
import TraceLedgerTesting
import TraceLedgerWorkload

/// Replicas over NATS JetStream (docs/scaling.md): a real nats-server with a file stream, a primary publishing
/// with `Replayer` + `NATSSink` as `replay --follow` does, a replica applying with `StreamMirror` as
/// `traceledger mirror` does, all in this process.
///
/// - apply rate: events already in the stream applied by a new replica, per second;
/// - lag: from the primary's commit of an event to the replica's commit of it, with the primary appending at
///   a steady `steadyRate` events per second (20 events every 10 ms) while the publisher follows.
enum ReplicaPhase {
    struct Figures {
        var applyEventsPerSecond = 0.0
        var lag = LatencySample()
        /// One event published and its JetStream acknowledgement received (what `replay --follow` waits for,
        /// at most the sink's 5 s ack wait): the window in which a primary's commit is not yet in the stream.
        var publishAck = LatencySample()
    }

    static let steadyRate = 2_000

    static func measure(root: String, seed: UInt64, applyEvents: Int, steadySeconds: Int) async throws
        -> Figures
    {
        let decoder = EventDecoder()
        let lines = WorkloadGenerator(seed: seed &+ 7).prefix(applyEvents + steadyRate * steadySeconds).map(
            \.line)
        let events = try lines.map { try decoder.decode($0) }
        let nats = try NATSServer()
        try nats.createStream(named: "LEDGER", subject: "ledger.events")
        let url = nats.url + "/ledger.events"
        let primary = try Ledger.create(at: root + "/replica-primary")
        for start in stride(from: 0, to: applyEvents, by: 1_000) {
            _ = try await primary.append(Array(events[start..<min(applyEvents, start + 1_000)]))
        }
        var options = ReplayOptions(consumer: "replicas", actor: "service:ledger-bench")
        options.domains = Set(Domain.allCases)
        _ = try await Replayer(ledger: primary, sink: try NATSSink(url: url), options: options).run()

        // The publisher's ack wait, event by event, on a stream of its own (the replica's stays untouched).
        var figures = Figures()
        try nats.createStream(named: "ACKS", subject: "ledger.acks")
        let probe = try NATSSink(url: nats.url + "/ledger.acks")
        let sample = try primary.read { snapshot in
            try (1...UInt64(min(1_000, applyEvents))).compactMap { try snapshot.event(at: $0) }
        }
        for event in sample {
            let start = ContinuousClock.now
            try await probe.deliver([event])
            figures.publishAck.record(UInt64(start.duration(to: .now).nanoseconds))
        }

        // The apply rate: a new replica catching up with the stream.
        let replica = try Ledger.create(at: root + "/replica")
        var catchUp = StreamMirror(ledger: replica, origin: url)
        catchUp.once = true
        // Until the last commit: `once` then waits for one empty fetch to be sure, which is not applying.
        let lastCommit = Mutex(ContinuousClock.now)
        catchUp.committed = { _ in lastCommit.withLock { $0 = .now } }
        let started = ContinuousClock.now
        let summary = try await catchUp.run(stop: ReplayStop())
        let elapsed = started.duration(to: lastCommit.withLock { $0 })
        figures.applyEventsPerSecond = Double(summary.applied) / (Double(elapsed.nanoseconds) / 1e9)

        // The lag at a steady load: both sides following while the primary appends.
        let committedAt = Mutex<[UInt64: ContinuousClock.Instant]>([:])
        let lags = Mutex(LatencySample())
        var following = options
        following.follow = true
        let stopPublisher = ReplayStop()
        let stopMirror = ReplayStop()
        let publisher = Task {
            try await Replayer(ledger: primary, sink: try NATSSink(url: url), options: following)
                .run(stop: stopPublisher)
        }
        var mirror = StreamMirror(ledger: replica, origin: url)
        mirror.batch = 100
        mirror.committed = { positions in
            let now = ContinuousClock.now
            let starts = committedAt.withLock { table in positions.compactMap { table[$0] } }
            lags.withLock { sample in
                for start in starts { sample.record(UInt64((now - start).nanoseconds)) }
            }
        }
        let mirroring = Task { try await mirror.run(stop: stopMirror) }
        let steady = events[applyEvents...]
        var next = ContinuousClock.now
        for start in stride(from: steady.startIndex, to: steady.endIndex, by: 20) {
            next += .milliseconds(10)
            let outcomes = try await primary.append(Array(steady[start..<min(steady.endIndex, start + 20)]))
            let now = ContinuousClock.now
            committedAt.withLock { table in for outcome in outcomes { table[outcome.position] = now } }
            try await Task.sleep(until: next)
        }
        let target = try primary.head().position
        let deadline = ContinuousClock.now + .seconds(60)
        while try replica.head().position < target, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        stopPublisher.request()
        stopMirror.request()
        _ = try await publisher.value
        _ = try await mirroring.value
        guard try replica.head() == primary.head() else {
            throw BenchError("the replica ended at \(try replica.head().position), the primary at \(target)")
        }
        figures.lag = lags.withLock { $0 }
        await replica.close()
        await primary.close()
        nats.stop()
        return figures
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
