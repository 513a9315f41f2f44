import Foundation
import JSONKit

/// What applying one replicated record did.
public enum ReplicaOutcome: Sendable, Equatable {
    case applied(UInt64)
    /// The record was already there, hash for hash: a message delivered again.
    case alreadyApplied(UInt64)
}

/// Where a replica stands: the stream it mirrors, its own head, and the primary's head it last saw.
///
/// Sendable: plain values.
public struct ReplicaStatus: Sendable, Equatable {
    public let origin: String
    /// The replica's durable consumer on the stream.
    public let consumer: String
    public let head: ChainHead
    /// The highest position the primary had published when the mirror last looked; nil before it looked.
    public let primaryHead: UInt64?

    public init(origin: String, consumer: String, head: ChainHead, primaryHead: UInt64?) {
        self.origin = origin
        self.consumer = consumer
        self.head = head
        self.primaryHead = primaryHead
    }

    /// Events the primary published that this replica does not hold yet.
    public var lagEvents: UInt64 { primaryHead.map { $0 > head.position ? $0 - head.position : 0 } ?? 0 }
}

/// A store's replica marker (`meta` `replica.origin`), kept in the store so every process that opens it
/// refuses appends, and `traceledger promote`, which removes it.
enum Replica {
    static func origin(in snapshot: LedgerSnapshot) throws -> String? {
        try snapshot.value(in: snapshot.databases.meta, key: MetaKey.replicaOrigin.bytes).map {
            String(decoding: $0, as: UTF8.self)
        }
    }
}

extension Ledger {
    /// The stream this store mirrors, or nil for a primary.
    public func replicaOrigin() throws -> String? { try read { try Replica.origin(in: $0) } }

    /// The replica's status, or nil for a primary.
    public func replicaStatus() throws -> ReplicaStatus? {
        try read { snapshot in
            guard let origin = try Replica.origin(in: snapshot) else { return nil }
            let meta = snapshot.databases.meta
            let primary = try snapshot.value(in: meta, key: MetaKey.replicaPrimaryHead.bytes)
                .map { UInt64(bigEndianBytes: $0) }
            let consumer = try snapshot.value(in: meta, key: MetaKey.replicaConsumer.bytes)
                .map { String(decoding: $0, as: UTF8.self) } ?? "traceledger-replica"
            return ReplicaStatus(origin: origin, consumer: consumer, head: try snapshot.head(), primaryHead: primary)
        }
    }

    /// Makes this store a replica of `origin`: only a new, empty store, or one already mirroring `origin`.
    ///
    /// - Throws: `LedgerError` `.conflict` for a store with events of its own, or a replica of another stream.
    public func becomeReplica(of origin: String) async throws {
        try await write { transaction in
            let snapshot = transaction.snapshot
            if let current = try Replica.origin(in: snapshot) {
                guard current == origin else {
                    throw LedgerError(
                        .conflict,
                        "this store is a replica of \(current), not of \(origin): mirror \(origin) into a new store")
                }
                return
            }
            let head = try snapshot.head().position
            guard head == 0 else {
                throw LedgerError(
                    .conflict,
                    "this store holds \(head) events of its own: a replica starts empty; mirror into a new store "
                        + "(`--store` a path that does not exist yet)")
            }
            let meta = transaction.databases.meta
            try transaction.put(Array(origin.utf8), at: MetaKey.replicaOrigin.bytes, in: meta)
            let suffix = EventID.random().description.filter { $0 != "-" }.prefix(12)
            try transaction.put(Array("traceledger-replica-\(suffix)".utf8), at: MetaKey.replicaConsumer.bytes, in: meta)
        }
    }

    /// Applies records a primary committed, in one durable transaction (`LedgerWriteTransaction.applyReplicated`),
    /// and notes the primary's head the mirror saw.
    public func applyReplicated(_ records: [ReplicatedRecord], primaryHead: UInt64?) async throws -> [ReplicaOutcome]
    {
        try await write { transaction in
            guard try Replica.origin(in: transaction.snapshot) != nil else {
                throw LedgerError(
                    .conflict, "this store is not a replica (it was promoted): it no longer takes a primary's events")
            }
            let outcomes = try transaction.applyReplicated(records)
            if let primaryHead {
                try transaction.put(
                    primaryHead.bigEndianBytes, at: MetaKey.replicaPrimaryHead.bytes, in: transaction.databases.meta)
            }
            return outcomes
        }
    }

    /// Turns this replica into a primary: removes the marker and records the promotion as a ledger event
    /// (`ledger.replica_promoted`), the first the new primary appends, so the chain says when it happened and
    /// who did it. The caller makes sure the old primary is gone (`traceledger promote` checks the stream).
    ///
    /// - Returns: the position of the promotion event.
    public func promote(actor: String, reason: String) async throws -> UInt64 {
        let event = try Ledger.ledgerOperation(
            type: "ledger.replica_promoted", entityId: "replica", traceId: nil, actor: actor,
            payload: "{\"origin\":\(JSONString.quoted(try replicaOrigin() ?? "")),\"reason\":\(JSONString.quoted(reason)),"
                + "\"head\":\(try head().position)}")
        return try await write { transaction in
            guard try Replica.origin(in: transaction.snapshot) != nil else {
                throw LedgerError(.conflict, "this store is not a replica: there is nothing to promote")
            }
            try transaction.delete(MetaKey.replicaOrigin.bytes, in: transaction.databases.meta)
            try transaction.delete(MetaKey.replicaPrimaryHead.bytes, in: transaction.databases.meta)
            try transaction.delete(MetaKey.replicaConsumer.bytes, in: transaction.databases.meta)
            return try transaction.append([event])[0].position
        }
    }
}
