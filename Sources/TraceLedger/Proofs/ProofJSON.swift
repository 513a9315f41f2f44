import Foundation
import JSONKit

/// The JSON forms of proofs that `traceledger prove` prints and `check-proof` reads (hashes in base64, as in
/// checkpoints). An inclusion proof carries the event's envelope, so whoever checks it sees what was proven
/// and recomputes its leaf (`EventLeaf.bytes(ofEnvelope:)`) instead of trusting the proof's leaf hash.
extension InclusionProof {
    /// `{"proof":"inclusion","position","leafIndex","treeSize","leafHash","path":[…],"root","event":{…}}`.
    public func json(event: RecordedEvent, root: RFC6962.Hash) -> String {
        let members: JSONObject = [
            "proof": "inclusion", "position": .integer(position), "leafIndex": .integer(position - 1),
            "treeSize": .integer(treeSize), "leafHash": .string(Data(leafHash).base64EncodedString()),
            "path": .array(path.map { .string(Data($0).base64EncodedString()) }),
            "root": .string(Data(root).base64EncodedString()),
        ]
        var text = JSONValue.object(members).serialized()
        text.removeLast()
        return text + #","event":"# + event.envelopeJSON() + "}"
    }

    /// Reads `json(event:root:)`'s form; the envelope's bytes are returned too, for its leaf.
    ///
    /// - Throws: `LedgerError` `.invalidArgument` naming what is missing.
    public static func parse(_ bytes: [UInt8]) throws -> (proof: InclusionProof, envelope: [UInt8]?) {
        let (object, document) = try ProofFields.object(bytes, kind: "inclusion")
        let proof = InclusionProof(
            position: try ProofFields.number(object, "position"),
            treeSize: try ProofFields.number(object, "treeSize"),
            leafHash: try ProofFields.hash(object, "leafHash"), path: try ProofFields.hashes(object, "path"))
        return (proof, document.byteRange(ofMember: "event").map { Array(bytes[$0]) })
    }
}

extension ConsistencyProof {
    /// `{"proof":"consistency","oldSize","newSize","oldRoot","newRoot","path":[…]}`.
    public func json(oldRoot: RFC6962.Hash, newRoot: RFC6962.Hash) -> String {
        JSONValue.object([
            "proof": "consistency", "oldSize": .integer(oldSize), "newSize": .integer(newSize),
            "oldRoot": .string(Data(oldRoot).base64EncodedString()),
            "newRoot": .string(Data(newRoot).base64EncodedString()),
            "path": .array(path.map { .string(Data($0).base64EncodedString()) }),
        ]).serialized()
    }

    public static func parse(_ bytes: [UInt8]) throws -> ConsistencyProof {
        let (object, _) = try ProofFields.object(bytes, kind: "consistency")
        return ConsistencyProof(
            oldSize: try ProofFields.number(object, "oldSize"),
            newSize: try ProofFields.number(object, "newSize"),
            path: try ProofFields.hashes(object, "path"))
    }
}

/// What kind of proof a file holds: `inclusion` or `consistency`, or nil.
public func proofKind(of bytes: [UInt8]) -> String? {
    (try? bytes.withUnsafeBytes { try JSONParser.parse($0) })?.value["proof"]?.stringValue
}

private enum ProofFields {
    static func object(_ bytes: [UInt8], kind: String) throws -> (JSONObject, JSONDocument) {
        let document: JSONDocument
        do {
            document = try bytes.withUnsafeBytes { try JSONParser.parse($0) }
        } catch {
            throw LedgerError(.invalidArgument, "the proof is not JSON: \(error)")
        }
        guard case .object(let object) = document.value, object["proof"]?.stringValue == kind else {
            throw LedgerError(
                .invalidArgument, "this is not an \(kind) proof (as `traceledger prove` prints)")
        }
        return (object, document)
    }

    static func number(_ object: JSONObject, _ key: String) throws -> UInt64 {
        guard let value = object[key]?.numberValue?.int64Value, value >= 0 else {
            throw LedgerError(.invalidArgument, "the proof has no \(key)")
        }
        return UInt64(value)
    }

    static func hash(_ object: JSONObject, _ key: String) throws -> RFC6962.Hash {
        guard let text = object[key]?.stringValue, let bytes = Data(base64Encoded: text), bytes.count == 32
        else {
            throw LedgerError(.invalidArgument, "the proof's \(key) is not a base64 SHA-256 hash")
        }
        return Array(bytes)
    }

    static func hashes(_ object: JSONObject, _ key: String) throws -> [RFC6962.Hash] {
        guard let items = object[key]?.arrayValue else {
            throw LedgerError(.invalidArgument, "the proof has no \(key)")
        }
        return try items.map { item in
            guard let text = item.stringValue, let bytes = Data(base64Encoded: text), bytes.count == 32 else {
                throw LedgerError(
                    .invalidArgument, "the proof's \(key) holds something that is not a base64 SHA-256 hash")
            }
            return Array(bytes)
        }
    }
}

extension EventLeaf {
    /// The digest a leaf holds for the payload an envelope shows: its bytes' SHA-256, or, for an erased
    /// event, the digest its tombstone kept.
    static func payloadDigest(_ payload: [UInt8]) -> String {
        if let digest = Erasure.fields(of: payload)?["payloadSha256"]?.stringValue { return digest }
        return digest(of: payload)
    }

    /// The leaf of the event an envelope (`--json`) shows, recomputed from it alone.
    ///
    /// - Throws: `LedgerError` `.invalidArgument` when a field the leaf needs is missing.
    public static func bytes(ofEnvelope envelope: [UInt8]) throws -> [UInt8] {
        let document: JSONDocument
        do {
            document = try envelope.withUnsafeBytes { try JSONParser.parse($0) }
        } catch {
            throw LedgerError(.invalidArgument, "the event is not JSON: \(error)")
        }
        guard case .object(let object) = document.value, let payload = document.byteRange(ofMember: "payload")
        else {
            throw LedgerError(.invalidArgument, "the event is not an envelope with a payload")
        }
        func text(_ key: String) throws -> String {
            guard let value = object[key]?.stringValue else {
                throw LedgerError(.invalidArgument, "the envelope has no \(key)")
            }
            return value
        }
        func number(_ key: String) throws -> UInt64 {
            guard let value = object[key]?.numberValue?.int64Value, value >= 0 else {
                throw LedgerError(.invalidArgument, "the envelope has no \(key)")
            }
            return UInt64(value)
        }
        func time(_ key: String) throws -> Timestamp {
            guard let time = Timestamp(rfc3339: try text(key)) else {
                throw LedgerError(.invalidArgument, "the envelope's \(key) is not an RFC 3339 time")
            }
            return time
        }
        guard let eventId = EventID(try text("eventId")), let domain = Domain(rawValue: try text("domain"))
        else {
            throw LedgerError(
                .invalidArgument, "the envelope's eventId or domain is not one the ledger writes")
        }
        // The fields as the ledger holds them, then the one leaf encoding the appender uses too.
        let content = EventContent(
            eventId: eventId, traceId: try text("traceId"),
            correlationId: object["correlationId"]?.stringValue,
            causationId: object["causationId"]?.stringValue.flatMap { EventID($0) }, domain: domain,
            entityId: try text("entityId"), type: try text("type"), origin: try text("origin"),
            actor: try text("actor"), occurredAt: try time("occurredAt"), payload: [])
        var leaf: [UInt8] = []
        write(
            content: content, position: try number("position"), recordedAt: try time("recordedAt"),
            streamVersion: try number("streamVersion"),
            payloadDigestHex: Array(payloadDigest(Array(envelope[payload])).utf8), into: &leaf)
        return leaf
    }
}
