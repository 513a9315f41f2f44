extension Ledger {
    /// Appends several batches, in order, each atomic on its own, letting the writer commit them together.
    ///
    /// This is how a bulk load gets the throughput of large commits while keeping small atomic batches: the
    /// batches are queued at once, so the writer's group commit puts as many of them as fit in one
    /// transaction and one fsync. A batch rejected by its checks (a conflict, an invalid event) fails alone;
    /// the others still commit. Returns each batch's outcomes, or its error, in the order given, once every
    /// batch is durably committed or rejected.
    public func append(batches: [[ProposedEvent]]) async -> [Result<[AppendOutcome], any Error>] {
        await writer.append(batches: batches)
    }
}
