import LMDBKit

extension LedgerSnapshot {
    /// Every replay consumer, by name.
    public func consumers() throws -> [ConsumerState] {
        try transaction.withCursor(on: databases.consumers) { cursor in
            var states: [ConsumerState] = []
            var entry = try cursor.first()
            while let current = entry {
                states.append(
                    try ConsumerState(
                        name: String(decoding: current.key, as: UTF8.self), decoding: current.value))
                entry = try cursor.next()
            }
            return states
        }
    }

    /// One consumer's state, or nil when it never ran.
    public func consumer(named name: String) throws -> ConsumerState? {
        try transaction.withValue(in: databases.consumers, key: ConsumerState.key(name)) { raw in
            try raw.map { try ConsumerState(name: name, decoding: $0) }
        }
    }

    /// A consumer's dead letters (dead and held), in position order.
    public func deadLetters(of consumer: String) throws -> [DeadLetter] {
        let prefix = DeadLetter.keyPrefix(consumer: consumer)
        return try transaction.withCursor(on: databases.deadLetters) { cursor in
            var letters: [DeadLetter] = []
            var entry = try prefix.withUnsafeBytes { try cursor.seek($0) }
            while let current = entry, current.key.count == prefix.count + 8, current.key.starts(with: prefix)
            {
                let position = UInt64(bigEndianBytes: current.key.dropFirst(prefix.count))
                letters.append(
                    try DeadLetter(consumer: consumer, position: position, decoding: current.value))
                entry = try cursor.next()
            }
            return letters
        }
    }

    /// Every consumer with its lag behind the head and its dead-letter counts, as of this snapshot.
    public func consumerStatuses() throws -> [ConsumerStatus] {
        let head = try head().position
        return try consumers().map { consumer in
            let letters = try deadLetters(of: consumer.name)
            let dead = letters.count { $0.state == .dead }
            return ConsumerStatus(
                state: consumer, head: head, deadLetters: dead, heldBack: letters.count - dead)
        }
    }
}

/// A consumer as `traceledger consumers` and the server show it: its state, how far it lags behind the
/// head, and how many of its events wait in the dead-letter queue.
///
/// Sendable: plain values.
public struct ConsumerStatus: Sendable, Equatable {
    public let state: ConsumerState
    /// The head of the log when the status was read.
    public let head: UInt64
    public let deadLetters: Int
    public let heldBack: Int

    /// Events after the checkpoint, up to the head.
    public var lag: UInt64 { head > state.checkpoint ? head - state.checkpoint : 0 }
}

extension LedgerWriteTransaction {
    /// Reads consumer `name`'s state (a new one when it never ran), lets `body` change it, and stores it, all
    /// inside this transaction: concurrent updates of one consumer never lose each other's changes.
    @discardableResult
    public func updateConsumer<Result>(named name: String, _ body: (inout ConsumerState) throws -> Result)
        throws -> Result
    {
        var state = try snapshot.consumer(named: name) ?? ConsumerState(name: name)
        let result = try body(&state)
        try put(state.encoded, at: ConsumerState.key(name), in: databases.consumers)
        return result
    }

    /// Stores (or replaces) a dead letter of its consumer.
    public func storeDeadLetter(_ letter: DeadLetter) throws {
        try put(
            letter.encoded, at: DeadLetter.key(consumer: letter.consumer, position: letter.position),
            in: databases.deadLetters)
    }

    /// Removes consumer `consumer`'s dead letter at `position`; false when there was none.
    @discardableResult
    public func removeDeadLetter(consumer: String, position: UInt64) throws -> Bool {
        try delete(DeadLetter.key(consumer: consumer, position: position), in: databases.deadLetters)
    }
}
