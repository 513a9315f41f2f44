extension Ledger {
    /// Every replay consumer, by name.
    public func consumers() throws -> [ConsumerState] { try read { try $0.consumers() } }

    /// One consumer's state, or nil when it never ran.
    public func consumer(named name: String) throws -> ConsumerState? {
        try read { try $0.consumer(named: name) }
    }

    /// A consumer's dead letters (dead and held), in position order.
    public func deadLetters(of consumer: String) throws -> [DeadLetter] {
        try read { try $0.deadLetters(of: consumer) }
    }

    /// Every consumer with its lag and dead-letter counts, from one snapshot.
    public func consumerStatuses() throws -> [ConsumerStatus] { try read { try $0.consumerStatuses() } }
}
