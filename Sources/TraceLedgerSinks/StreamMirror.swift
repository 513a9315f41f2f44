import Foundation
import JSONKit
public import TraceLedger

/// Keeps a replica store up to date from a primary's stream: what `traceledger mirror` runs (docs/scaling.md).
///
/// Reads batches through the replica's durable consumer, applies each in one durable transaction
/// (`Ledger.applyReplicated`: strict position order, every hash checked), and acknowledges it only after.
/// NATS not answering is waited out with a capped backoff; a gap right after an outage is read again once from
/// the last acknowledged message. Anything else that does not continue the replica's log stops it.
///
/// Sendable: plain values and Sendable closures.
public struct StreamMirror: Sendable {
    public let ledger: Ledger
    /// `nats://HOST:PORT/SUBJECT`.
    public let origin: String
    /// Messages applied per transaction.
    public var batch = 500
    /// Stop once the replica holds everything the stream held when it looked.
    public var once = false
    /// Told what happens (an outage, messages delivered again).
    public var log: @Sendable (String) -> Void = { _ in }
    /// Called after each committed batch with the positions it applied (the benchmark measures lag with it).
    public var committed: @Sendable ([UInt64]) -> Void = { _ in }

    public struct Summary: Sendable {
        public var applied = 0
        /// Messages delivered again that were already applied, hash for hash.
        public var again = 0
    }

    public init(ledger: Ledger, origin: String) {
        self.ledger = ledger
        self.origin = origin
    }

    /// Makes the store a replica of `origin` (it must be new, or one already), then mirrors until `stop`.
    ///
    /// - Throws: `LedgerError` `.corrupted` when the stream does not continue the replica's log (a gap, another
    ///   event at a position, a hash that differs), naming the position; nothing from it on is applied.
    public func run(stop: ReplayStop) async throws -> Summary {
        try await ledger.becomeReplica(of: origin)
        guard let status = try ledger.replicaStatus() else {
            throw LedgerError(.conflict, "the store stopped being a replica")
        }
        let reader = try NATSStreamReader(url: origin, consumer: status.consumer)
        var summary = Summary()
        var lastLook = ContinuousClock.now - .seconds(10)
        var primaryHead: UInt64?
        var outage = Outage(log: log)
        var resumedAfterGap = false
        while !stop.isRequested {
            // NATS not answering (a server restarting, a leader election) is waited out; nothing is lost, as
            // nothing is acknowledged before it is committed.
            let fetched: NATSStreamReader.Batch?
            do {
                fetched = try await reader.fetch(batch, timeout: .milliseconds(500))
                if ContinuousClock.now - lastLook > .seconds(1) || fetched == nil {
                    primaryHead = try await Self.position(of: reader.lastMessage()?.body)
                    lastLook = .now
                }
                outage.end()
            } catch let error as LedgerError where error.kind == .unavailable {
                try await outage.wait(error)
                continue
            }
            guard let fetched, !fetched.bodies.isEmpty else {
                if once, try ledger.head().position >= primaryHead ?? 0 { break }
                continue
            }
            var records: [ReplicatedRecord] = []
            for (body, leaf) in zip(fetched.bodies, fetched.leaves) {
                let decoded = body.withUnsafeBytes { bytes in
                    Result { () throws(LedgerError) in try ReplicatedRecord.decode(bytes) }
                }
                switch decoded {
                case .success(var record):
                    record.leafHash = leaf.flatMap { ChainHash(hex: $0)?.bytes }
                    records.append(record)
                case .failure(let error):
                    let position = Self.position(of: body).map { "position \($0)" } ?? "a message"
                    throw LedgerError(
                        .corrupted,
                        "\(position) after the replica's head \(try ledger.head().position) cannot be applied: "
                            + "\(error.message); nothing from it on is applied")
                }
            }
            let outcomes: [ReplicaOutcome]
            do {
                outcomes = try await ledger.applyReplicated(records, primaryHead: primaryHead)
                resumedAfterGap = false
            } catch let error as LedgerError where error.rule == "gap" && !resumedAfterGap {
                // Messages handed out before an outage and never acknowledged come again only after the ack
                // wait, behind newer ones: read again from the last acknowledged message (what follows it up
                // to the head is recognised by its hash). A gap that is still there then is real.
                resumedAfterGap = true
                do {
                    try await reader.rebind()
                } catch let error as LedgerError where error.kind == .unavailable {
                    resumedAfterGap = false  // not read again yet: the next batch will show the gap again
                    try await outage.wait(error)
                }
                continue
            } catch let error as LedgerError where error.kind == .conflict || error.kind == .corrupted {
                // The stream does not continue this replica's log: keep what comes before the record at fault
                // (the batch was refused whole), then stop, acknowledging nothing (exit 3).
                let kept = try await applyOneByOne(records)
                throw LedgerError(
                    .corrupted,
                    "\(error.message); the replica holds everything before it (head \(kept)) and nothing from there on")
            }
            do {
                try await reader.acknowledge(fetched)
            } catch let error as LedgerError where error.kind == .unavailable {
                try await outage.wait(error)  // committed: delivered again later, and recognised by its hash
            }
            let applied = outcomes.compactMap { if case .applied(let position) = $0 { position } else { nil } }
            summary.applied += applied.count
            let again = outcomes.count - applied.count
            summary.again += again
            if again > 0 { log("\(again) messages delivered again were already applied (same hashes)") }
            committed(applied)
        }
        return summary
    }

    /// Applies `records` one transaction each until one is refused; the replica's head after them.
    private func applyOneByOne(_ records: [ReplicatedRecord]) async throws -> UInt64 {
        for record in records {
            do {
                _ = try await ledger.applyReplicated([record], primaryHead: nil)
            } catch {
                break
            }
        }
        return try ledger.head().position
    }

    /// The position a recorded envelope carries.
    public static func position(of body: [UInt8]?) -> UInt64? {
        guard let body, case .object(let object)? = try? JSONParser.parse(body).value else { return nil }
        return object["position"]?.numberValue?.int64Value.flatMap(UInt64.init(exactly:))
    }

    /// An outage of the stream: reported once, waited out with a backoff capped at 5 s.
    struct Outage {
        let log: @Sendable (String) -> Void
        private var since: Date?
        private var delay: Duration = .milliseconds(100)

        init(log: @escaping @Sendable (String) -> Void) { self.log = log }

        mutating func wait(_ error: LedgerError) async throws {
            if since == nil {
                since = Date()
                log("the stream does not answer (\(error.message)); waiting for it, nothing is lost")
            }
            try await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(5))
        }

        mutating func end() {
            if let since {
                log("the stream answers again after \(String(format: "%.1f", Date().timeIntervalSince(since))) s")
            }
            since = nil
            delay = .milliseconds(100)
        }
    }
}
