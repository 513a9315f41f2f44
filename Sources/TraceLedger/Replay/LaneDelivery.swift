import Logging

/// Delivers one window of events over `concurrency` lanes: each entity always maps to the same lane, so its
/// events go out in order, while different entities proceed in parallel.
struct LaneDelivery: Sendable {
    let sink: any ReplaySink
    let options: ReplayOptions
    let limiter: RateLimiter?
    let logger: Logger

    struct Outcome: Sendable {
        var delivered = 0
        var retried = 0
        var deadLetters: [DeadLetter] = []
    }

    /// Delivers `events`; entities in `blocked` (entity → position of its dead letter) are held back.
    func deliver(_ events: [RecordedEvent], blocked: [StreamKey: UInt64]) async throws -> Outcome {
        let laneCount = max(1, options.concurrency)
        var lanes = [[RecordedEvent]](repeating: [], count: laneCount)
        for event in events {
            var hasher = Hasher()
            hasher.combine(event.content.streamKey)
            lanes[Int(UInt(bitPattern: hasher.finalize()) % UInt(laneCount))].append(event)
        }
        return try await withThrowingTaskGroup(of: Outcome.self) { group in
            for lane in lanes where !lane.isEmpty {
                group.addTask { try await deliverLane(lane, blocked: blocked) }
            }
            var total = Outcome()
            for try await outcome in group {
                total.delivered += outcome.delivered
                total.retried += outcome.retried
                total.deadLetters += outcome.deadLetters
            }
            total.deadLetters.sort { $0.position < $1.position }
            return total
        }
    }

    private func deliverLane(_ lane: [RecordedEvent], blocked initiallyBlocked: [StreamKey: UInt64])
        async throws -> Outcome
    {
        var outcome = Outcome()
        var blocked = initiallyBlocked
        var index = 0
        while index < lane.count {
            var group: [RecordedEvent] = []
            while index < lane.count, group.count < max(1, options.batchSize) {
                let event = lane[index]
                if let blocker = blocked[event.content.streamKey] {
                    if group.isEmpty {
                        outcome.deadLetters.append(hold(event, behind: blocker))
                        index += 1
                        continue
                    }
                    break
                }
                group.append(event)
                index += 1
            }
            guard !group.isEmpty else { continue }
            try await deliverGroup(group, into: &outcome, blocked: &blocked)
        }
        return outcome
    }

    /// Delivers a group; when it fails for good, retries its events one by one so only the bad ones park.
    private func deliverGroup(
        _ group: [RecordedEvent], into outcome: inout Outcome, blocked: inout [StreamKey: UInt64]
    ) async throws {
        let result = try await DeliveryAttempts(sink: sink, options: options, limiter: limiter).deliver(group)
        outcome.retried += result.retries
        guard let failure = result.failure else {
            outcome.delivered += group.count
            return
        }
        // An outage is no event's fault: nothing is dead-lettered, the window is not checkpointed.
        if failure.kind == .unreachable { throw DownstreamUnreachable(failure: failure) }
        if group.count > 1 {
            for event in group {
                if let blocker = blocked[event.content.streamKey] {
                    outcome.deadLetters.append(hold(event, behind: blocker))
                } else {
                    try await deliverGroup([event], into: &outcome, blocked: &blocked)
                }
            }
            return
        }
        let event = group[0]
        logger.warning(
            "dead-lettered an event", metadata: ["position": "\(event.position)", "error": "\(failure)"])
        outcome.deadLetters.append(
            DeadLetter(
                consumer: options.consumer, event: event, state: .dead, attempts: result.attempts,
                lastError: failure.message, status: failure.status, response: failure.response))
        blocked[event.content.streamKey] = event.position
    }

    private func hold(_ event: RecordedEvent, behind blocker: UInt64) -> DeadLetter {
        DeadLetter(
            consumer: options.consumer, event: event, state: .held(behind: blocker), attempts: 0,
            lastError: "held back behind the dead letter at position \(blocker) of the same entity")
    }
}

/// One delivery with its retries: exponential backoff with full jitter for transient failures.
struct DeliveryAttempts: Sendable {
    let sink: any ReplaySink
    let options: ReplayOptions
    let limiter: RateLimiter?

    struct Result: Sendable {
        var attempts = 0
        var retries = 0
        /// The last failure, when the delivery did not succeed.
        var failure: DeliveryFailure?
    }

    func deliver(_ events: [RecordedEvent]) async throws -> Result {
        var result = Result()
        while true {
            if let limiter { try await limiter.acquire(events.count) }
            result.attempts += 1
            do {
                try await sink.deliver(events)
                result.failure = nil
                return result
            } catch {
                result.failure = error
                guard error.kind != .permanent, result.attempts < options.maximumAttempts else {
                    return result
                }
                result.retries += 1
                try await Task.sleep(
                    for: options.retry.delay(afterAttempt: result.attempts, retryAfter: error.retryAfter))
            }
        }
    }
}

/// The downstream could not be reached at all, for every attempt of a delivery.
///
/// Sendable: plain values.
struct DownstreamUnreachable: Error, Sendable {
    let failure: DeliveryFailure
    let since = Timestamp.now()
}
