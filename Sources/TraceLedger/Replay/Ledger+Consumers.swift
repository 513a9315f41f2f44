import LMDBKit

extension Ledger {
    /// Every replay consumer, by name.
    public func consumers() throws -> [ConsumerState] {
        try read { transaction, _ in
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
    }

    /// One consumer's state, or nil when it never ran.
    public func consumer(named name: String) throws -> ConsumerState? {
        try read { transaction, _ in try consumer(named: name, in: transaction) }
    }

    func consumer(named name: String, in transaction: Transaction) throws -> ConsumerState? {
        try transaction.withValue(in: databases.consumers, key: Array(name.utf8)) { raw in
            try raw.map { try ConsumerState(name: name, decoding: $0) }
        }
    }

    /// A consumer's dead letters (dead and held), in position order.
    public func deadLetters(of consumer: String) throws -> [DeadLetter] {
        try read { transaction, _ in try deadLetters(of: consumer, in: transaction) }
    }

    func deadLetters(of consumer: String, in transaction: Transaction) throws -> [DeadLetter] {
        let prefix = Array(consumer.utf8) + [0]
        return try transaction.withCursor(on: databases.deadLetters) { cursor in
            var letters: [DeadLetter] = []
            var entry = try prefix.withUnsafeBytes { try cursor.seek($0) }
            while let current = entry, current.key.count == prefix.count + 8, current.key.starts(with: prefix)
            {
                let position = UInt64(
                    bigEndianBytes: UnsafeRawBufferPointer(rebasing: current.key[prefix.count...]))
                letters.append(
                    try DeadLetter(consumer: consumer, position: position, decoding: current.value))
                entry = try cursor.next()
            }
            return letters
        }
    }

    /// Saves a consumer's progress and dead-letter changes in one durable transaction.
    func saveReplayProgress(
        _ state: ConsumerState, storing letters: [DeadLetter], removing removed: [UInt64] = []
    ) throws {
        do {
            try environment.write { transaction in
                try transaction.put(
                    in: databases.consumers, key: Array(state.name.utf8), value: state.encoded)
                for letter in letters {
                    try transaction.put(
                        in: databases.deadLetters,
                        key: DeadLetter.key(consumer: state.name, position: letter.position),
                        value: letter.encoded)
                }
                for position in removed {
                    try transaction.delete(
                        in: databases.deadLetters,
                        key: DeadLetter.key(consumer: state.name, position: position))
                }
            }
        } catch {
            throw LedgerError.wrapping(error, doing: "saving the progress of consumer \(state.name)")
        }
    }
}
