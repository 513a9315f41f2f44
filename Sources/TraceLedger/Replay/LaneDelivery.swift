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

    /// An entity whose delivery failed for now: its remaining events of the window wait for its next attempt,
    /// while the other entities of the lane go on.
    private struct Retrying {
        var events: [RecordedEvent]
        var attempts: Int
        var due: ContinuousClock.Instant
    }

    /// Delivers a lane in order. A transient failure holds back only its own entity, which is tried again
    /// after its backoff while the lane goes on with the others; an entity that keeps failing is
    /// dead-lettered after `maximumAttempts`, with its later events held behind it.
    private func deliverLane(_ lane: [RecordedEvent], blocked initiallyBlocked: [StreamKey: UInt64])
        async throws -> Outcome
    {
        var outcome = Outcome()
        var blocked = initiallyBlocked
        var retrying: [StreamKey: Retrying] = [:]
        var index = 0
        // First pass, in log order: groups of up to `batchSize` events of entities not held back.
        while index < lane.count {
            var group: [RecordedEvent] = []
            while index < lane.count, group.count < max(1, options.batchSize) {
                let event = lane[index]
                let key = event.content.streamKey
                index += 1
                if let blocker = blocked[key] {
                    outcome.deadLetters.append(hold(event, behind: blocker))
                } else if retrying[key] != nil {
                    retrying[key]!.events.append(event)
                } else {
                    group.append(event)
                }
            }
            guard !group.isEmpty else { continue }
            if let failure = try await attempt(group, into: &outcome) {
                if failure.kind == .permanent {
                    if group.count == 1 {
                        deadLetter(group[0], attempts: 1, failure: failure, into: &outcome, blocked: &blocked)
                        continue
                    }
                    // Find the bad ones: the group's events one by one, each entity in order.
                    for event in group {
                        let key = event.content.streamKey
                        if let blocker = blocked[key] {
                            outcome.deadLetters.append(hold(event, behind: blocker))
                        } else if retrying[key] != nil {
                            retrying[key]!.events.append(event)
                        } else if let failure = try await attempt([event], into: &outcome) {
                            if failure.kind == .permanent {
                                deadLetter(
                                    event, attempts: 1, failure: failure, into: &outcome, blocked: &blocked)
                            } else {
                                retrying[key] = Retrying(
                                    events: [event], attempts: 1,
                                    due: .now
                                        + options.retry.delay(afterAttempt: 1, retryAfter: failure.retryAfter)
                                )
                            }
                        }
                    }
                    continue
                }
                // Transient: each entity of the group waits for its own next attempt.
                let due =
                    ContinuousClock.now + options.retry.delay(afterAttempt: 1, retryAfter: failure.retryAfter)
                for event in group {
                    retrying[event.content.streamKey, default: Retrying(events: [], attempts: 1, due: due)]
                        .events.append(event)
                }
            }
        }
        // Then the entities that wait for a retry, each when its backoff is over.
        while !retrying.isEmpty {
            let now = ContinuousClock.now
            guard
                let (key, due) = retrying.filter({ $0.value.due <= now }).min(by: {
                    $0.value.due < $1.value.due
                })
            else {
                let next = retrying.values.map(\.due).min()!
                try await Task.sleep(until: next, clock: .continuous)
                continue
            }
            var entry = due
            let event = entry.events[0]
            outcome.retried += 1
            if let failure = try await attempt([event], into: &outcome) {
                entry.attempts += 1
                if failure.kind == DeliveryFailure.Kind.permanent || entry.attempts >= options.maximumAttempts
                {
                    deadLetter(
                        event, attempts: entry.attempts, failure: failure, into: &outcome, blocked: &blocked)
                    outcome.deadLetters += entry.events.dropFirst().map { hold($0, behind: event.position) }
                    retrying[key] = nil
                    continue
                }
                entry.due =
                    ContinuousClock.now
                    + options.retry.delay(afterAttempt: entry.attempts, retryAfter: failure.retryAfter)
                retrying[key] = entry
                continue
            }
            entry.events.removeFirst()
            entry.attempts = 0
            if entry.events.isEmpty {
                retrying[key] = nil
            } else {
                // The entity is delivering again: its next event goes at once.
                entry.due = ContinuousClock.now
                retrying[key] = entry
            }
        }
        return outcome
    }

    /// Parks `event` as a dead letter and blocks its entity for the rest of the run.
    private func deadLetter(
        _ event: RecordedEvent, attempts: Int, failure: DeliveryFailure, into outcome: inout Outcome,
        blocked: inout [StreamKey: UInt64]
    ) {
        logger.warning(
            "dead-lettered an event", metadata: ["position": "\(event.position)", "error": "\(failure)"])
        outcome.deadLetters.append(
            DeadLetter(
                consumer: options.consumer, event: event, state: .dead, attempts: attempts,
                lastError: failure.message, status: failure.status, response: failure.response))
        blocked[event.content.streamKey] = event.position
    }

    /// One attempt at `events`: nil and counted as delivered when it went through, else the failure (an
    /// outage is thrown after the usual attempts: the whole downstream is down, not this entity).
    private func attempt(_ events: [RecordedEvent], into outcome: inout Outcome) async throws
        -> DeliveryFailure?
    {
        if let limiter { try await limiter.acquire(events.count) }
        do {
            try await sink.deliver(events)
            outcome.delivered += events.count
            return nil
        } catch  where error.kind == .unreachable {
            let result = try await DeliveryAttempts(sink: sink, options: options, limiter: limiter).deliver(
                events)
            outcome.retried += result.attempts  // each one sent again after the failed first
            guard let failure = result.failure else {
                outcome.delivered += events.count
                return nil
            }
            throw DownstreamUnreachable(failure: failure)
        } catch {
            return error
        }
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
