import JSONKit

/// A consumer's dead-letter queue: the events a replay could not deliver, and the later events of their
/// entities held back behind them. A person works through it with `retry` and `discard`; each action is
/// appended to the ledger (domain `ledger`, in the dead letter's trace) with its actor and reason.
public struct DeadLetterQueue: Sendable {
    public let ledger: Ledger
    public let consumer: String

    public init(ledger: Ledger, consumer: String) {
        self.ledger = ledger
        self.consumer = consumer
    }

    /// What a retry or discard did.
    public struct Resolution: Sendable {
        /// Positions delivered (retried dead letters and the held events released behind them).
        public var delivered: [UInt64] = []
        /// Positions removed without delivery.
        public var discarded: [UInt64] = []
        /// Dead letters that failed again (with their updated attempts and error).
        public var stillDead: [DeadLetter] = []
    }

    /// The queue, in position order.
    public func letters() throws -> [DeadLetter] { try ledger.deadLetters(of: consumer) }

    /// Retries the dead letters at `positions` (all dead letters when nil) through `sink`; each one delivered
    /// releases the events held behind it, in order.
    ///
    /// - Throws: `LedgerError.notFound` when a position is not a dead letter of the consumer.
    public func retry(
        positions: [UInt64]?, sink: any ReplaySink, options: ReplayOptions, actor: String, reason: String
    ) async throws -> Resolution {
        var resolution = Resolution()
        for letter in try selected(positions, states: [.dead]) {
            let outcome = try await deliver(letter, sink: sink, options: options)
            let operation = try record(
                "ledger.dead_letter_retried", letter: letter, actor: actor, reason: reason,
                outcome: outcome == nil ? "delivered" : "failed")
            if let failed = outcome {
                resolution.stillDead.append(failed)
                try await save(storing: [failed], recording: [operation])
                continue
            }
            resolution.delivered.append(letter.position)
            try await save(removing: [letter.position], delivered: 1, recording: [operation])
            try await release(behind: letter, sink: sink, options: options, into: &resolution)
        }
        try await sink.flush()
        return resolution
    }

    /// Removes the dead letters at `positions` (every letter, dead or held, when nil) without delivering them.
    /// Events held behind a discarded letter are delivered through `sink` when one is given (their entity is
    /// no longer blocked), else discarded with it.
    public func discard(
        positions: [UInt64]?, sink: (any ReplaySink)?, options: ReplayOptions, actor: String, reason: String
    ) async throws -> Resolution {
        var resolution = Resolution()
        let all = positions == nil
        for letter in try selected(positions, states: all ? [.dead, .held] : [.dead]) {
            let operation = try record(
                "ledger.dead_letter_discarded", letter: letter, actor: actor, reason: reason,
                outcome: "discarded")
            resolution.discarded.append(letter.position)
            try await save(removing: [letter.position], recording: [operation])
            if !all, let sink {
                try await release(behind: letter, sink: sink, options: options, into: &resolution)
            } else if !all {
                let held = try heldBehind(letter)
                let operations = try held.map { event in
                    try record(
                        "ledger.dead_letter_discarded", letter: event, actor: actor, reason: reason,
                        outcome: "discarded")
                }
                resolution.discarded += held.map(\.position)
                try await save(removing: held.map(\.position), recording: operations)
            }
        }
        if let sink { try await sink.flush() }
        return resolution
    }

    private enum Kind { case dead, held }

    private func selected(_ positions: [UInt64]?, states: Set<Kind>) throws -> [DeadLetter] {
        let letters = try ledger.deadLetters(of: consumer)
        guard let positions else {
            return letters.filter { states.contains($0.state == .dead ? .dead : .held) }
        }
        // A position given twice is handled once.
        var seen: Set<UInt64> = []
        return try positions.filter { seen.insert($0).inserted }.map { position in
            guard let letter = letters.first(where: { $0.position == position }) else {
                throw LedgerError(
                    .notFound,
                    "position \(position) is not in the dead-letter queue of \(consumer); "
                        + "`traceledger dlq list --consumer \(consumer)` shows what is")
            }
            guard letter.state == .dead else {
                guard case .held(let behind) = letter.state else { return letter }
                throw LedgerError(
                    .notFound,
                    "position \(position) is held back behind the dead letter at \(behind); retry or "
                        + "discard \(behind) and it follows")
            }
            return letter
        }
    }

    private func heldBehind(_ letter: DeadLetter) throws -> [DeadLetter] {
        try ledger.deadLetters(of: consumer).filter { $0.stream == letter.stream && $0.state != .dead }
    }

    /// Delivers the events held behind `letter` in order; the first that fails becomes the entity's dead
    /// letter and the rest stay held behind it.
    private func release(
        behind letter: DeadLetter, sink: any ReplaySink, options: ReplayOptions,
        into resolution: inout Resolution
    ) async throws {
        let held = try heldBehind(letter)
        for (index, next) in held.enumerated() {
            if let failed = try await deliver(next, sink: sink, options: options) {
                resolution.stillDead.append(failed)
                let rest = held[(index + 1)...].map { remaining in
                    var moved = remaining
                    moved.state = .held(behind: failed.position)
                    return moved
                }
                try await save(storing: [failed] + rest)
                return
            }
            resolution.delivered.append(next.position)
            try await save(removing: [next.position], delivered: 1)
        }
    }

    /// Delivers one letter's event; returns the updated letter when it failed again, nil when delivered.
    private func deliver(_ letter: DeadLetter, sink: any ReplaySink, options: ReplayOptions) async throws
        -> DeadLetter?
    {
        guard let event = try ledger.event(at: letter.position) else {
            throw LedgerError(
                .corrupted, "dead letter \(letter.position) names an event that is not in the ledger")
        }
        let result = try await DeliveryAttempts(sink: sink, options: options, limiter: nil).deliver([event])
        guard let failure = result.failure else { return nil }
        var failed = letter
        failed.state = .dead
        failed.attempts += result.attempts
        failed.lastError = failure.message
        failed.status = failure.status
        failed.response = failure.response
        failed.failedAt = .now()
        return failed
    }

    /// Stores and removes dead letters, counts deliveries and appends the operations that record them, in one
    /// durable write that updates the consumer in place.
    private func save(
        storing letters: [DeadLetter] = [], removing removed: [UInt64] = [], delivered: Int = 0,
        recording operations: [ProposedEvent] = []
    ) async throws {
        let consumer = consumer
        try await ledger.write { transaction in
            if !operations.isEmpty { _ = try transaction.append(operations) }
            for letter in letters { try transaction.storeDeadLetter(letter) }
            for position in removed {
                try transaction.removeDeadLetter(consumer: consumer, position: position)
            }
            try transaction.updateConsumer(named: consumer) { state in
                state.delivered += UInt64(delivered)
                if delivered > 0 { state.lastDeliveryAt = .now() }
            }
        }
    }

    /// Checks that an action by `actor` for `reason` can be recorded (the actor's form, the reason's length),
    /// before anything is delivered.
    ///
    /// - Throws: `LedgerError` `.invalidEvent` naming what is wrong.
    public static func validateAction(actor: String, reason: String, consumer: String) throws -> ProposedEvent
    {
        let payload =
            "{\"consumer\":\(JSONString.quoted(consumer)),\"position\":1,\"reason\":\(JSONString.quoted(reason)),"
            + "\"outcome\":\"delivered\",\"eventId\":\"\(EventID(high: 0, low: 0))\"}"
        return try Ledger.ledgerOperation(
            type: "ledger.dead_letter_retried", entityId: consumer, traceId: nil, actor: actor,
            payload: payload)
    }

    /// The ledger event that records an operator's action on a dead letter.
    private func record(_ type: String, letter: DeadLetter, actor: String, reason: String, outcome: String)
        throws -> ProposedEvent
    {
        let payload =
            "{\"consumer\":\(JSONString.quoted(consumer)),\"position\":\(letter.position),"
            + "\"reason\":\(JSONString.quoted(reason)),\"outcome\":\(JSONString.quoted(outcome)),"
            + "\"eventId\":\"\(letter.eventId)\"}"
        return try Ledger.ledgerOperation(
            type: type, entityId: consumer, traceId: letter.traceId, actor: actor, payload: payload)
    }
}
