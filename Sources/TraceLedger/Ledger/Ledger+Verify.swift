import LMDBKit

/// The outcome of walking the hash chain.
public enum VerificationResult: Sendable, Equatable {
    /// Every record matched its hash and the chain ends at the stored head.
    case intact(head: ChainHead)
    /// The first position that does not match, and why.
    case broken(position: UInt64, reason: String)
}

extension Ledger {
    /// Walks the whole hash chain in one snapshot, recomputing every hash from the uncompressed content.
    ///
    /// Detects a changed byte (content or stored hash), a removed or reordered record, and a truncated log
    /// (the stored head no longer matches the last record). `progress` is called with the positions checked.
    /// With `through`, walks only positions 1 through that one (a report's segment) and, when it is below the
    /// head, returns `.intact` with the segment's last position, hash and recordedAt as its head.
    public func verify(through last: UInt64? = nil, progress: ((UInt64, UInt64) -> Void)? = nil) throws
        -> VerificationResult
    {
        FaultGuard.activity("walking the hash chain")
        defer { FaultGuard.activity(nil) }
        return try read { snapshot in
            let head = try snapshot.head()
            // A segment that ends before the head is checked record by record; the head is checked only when
            // the walk reaches it.
            let segmentEnd = last.flatMap { $0 < head.position ? $0 : nil }
            var expected: UInt64 = 1
            var lastRecordedAt = Timestamp(nanosecondsSinceEpoch: Int64.min)
            var erasedSeen: [UInt64] = []
            var erasedNamed: Set<UInt64> = []
            // The hashes are recomputed on a second core while this walk reads the records after them.
            let hashing = ChainHashingLane()
            let broken: VerificationResult? = try snapshot.transaction.withCursor(on: databases.events) {
                cursor in
                var entry = try cursor.first()
                while let current = entry, expected <= segmentEnd ?? UInt64.max {
                    guard current.key.count == 8 else {
                        return .broken(
                            position: expected, reason: "the log holds a key that is not a position")
                    }
                    let position = UInt64(bigEndianBytes: current.key)
                    FaultGuard.progress(position)
                    if position != expected {
                        return .broken(
                            position: expected,
                            reason: position > expected
                                ? "the record is missing (the log jumps to position \(position))"
                                : "a record is out of order")
                    }
                    let decoded: RecordCodec.Header
                    var malformed: LedgerError?
                    do {
                        decoded = try snapshot.codec.withDecoded(
                            current.value, dictionary: { try dictionaries.dictionary($0, in: snapshot) }
                        ) { header, body in
                            // An erased record's bytes are gone, so its hash cannot be recomputed: the chain goes
                            // on from the hash it kept, the Merkle leaf (which holds the payload's digest) still
                            // proves it, and an erasure event later in the chain must name it.
                            hashing.add(
                                position: position, recordedAt: header.recordedAt, storedHash: header.hash,
                                erased: header.erased, body: body)
                            // Every body's structure is checked, an erased one's too: its hash vouches for
                            // nothing, so this is the only check of its bytes.
                            do throws(LedgerError) {
                                let (type, payload) = try CanonicalBody.typeAndPayload(of: body)
                                if !header.erased, type.elementsEqual(CustomerErasure.eventType.utf8) {
                                    erasedNamed.formUnion(CustomerErasure.erasedPositions(in: Array(payload)))
                                }
                            } catch {
                                malformed = error
                            }
                            return header
                        }
                    } catch let error as LedgerError {
                        return .broken(
                            position: position, reason: "the record cannot be read: \(error.message)")
                    }
                    if decoded.erased { erasedSeen.append(position) }
                    // (A record whose hash does not match is reported before its time or its structure: the
                    // lane has it, and `finish()` below comes first.)
                    guard decoded.recordedAt > lastRecordedAt else {
                        return .broken(position: position, reason: "recordedAt does not increase")
                    }
                    if let malformed {
                        return .broken(
                            position: position,
                            reason: "the record's content is malformed: \(malformed.message)")
                    }
                    lastRecordedAt = decoded.recordedAt
                    if position % 10_000 == 0 { progress?(position, head.position) }
                    if hashing.foundMismatch { break }
                    expected += 1
                    entry = try cursor.next()
                }
                return nil
            }
            // Every record the walk handed over is hashed before anything the walk found after it is reported.
            let (mismatch, previous) = hashing.finish()
            if let mismatch {
                return .broken(
                    position: mismatch,
                    reason: "the record does not match its hash: it was altered, or an earlier record was")
            }
            if let broken { return broken }
            // (A segment may end before the erasure event: only a walk to the head can tell.)
            if segmentEnd == nil, let unexplained = erasedSeen.first(where: { !erasedNamed.contains($0) }) {
                return .broken(
                    position: unexplained,
                    reason:
                        "the record is marked erased, but no erasure event in the log names it: it was altered"
                )
            }
            let last = expected - 1
            if let segmentEnd, last == segmentEnd {
                return .intact(head: ChainHead(position: last, hash: previous, recordedAt: lastRecordedAt))
            }
            guard last == head.position else {
                return .broken(
                    position: min(last, head.position) + 1,
                    reason: last < head.position
                        ? "the log ends at \(last) but its head says \(head.position): records were removed"
                        : "the log continues past its recorded head \(head.position)")
            }
            guard previous == head.hash else {
                return .broken(
                    position: head.position, reason: "the last record's hash differs from the stored head")
            }
            progress?(last, head.position)
            return .intact(head: head)
        }
    }
}
