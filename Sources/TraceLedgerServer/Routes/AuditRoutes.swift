import Foundation
public import Hummingbird
import JSONKit
import NIOCore
import TraceLedger

/// What an auditor reads: the audit report, reconciliation, the chain's verification and the store's figures.
struct AuditRoutes {
    let ledger: Ledger
    let projections: ProjectionEngine
    /// The last verification, which the console's integrity page shows.
    let verifications: VerificationRecord

    /// `GET /v1/verify`: walks the whole chain; 200 either way, `intact` says which.
    func verify(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let verified = try await verifications.verify(ledger)
        let (result, damage) = (verified.result, verified.damagedIndexes)
        var object = result.jsonObject
        object["damagedIndexes"] = .array(
            damage.map { .object(["index": .string($0.index), "reason": .string($0.reason)]) })
        return JSONBody.response(object)
    }

    /// `GET /v1/stats`.
    func stats(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let ledger = ledger
        return JSONBody.response(try await Task.detached { try ledger.statistics() }.value.jsonObject)
    }

    /// `GET /v1/checkpoint`: the newest signed checkpoint, as the signed note's text.
    func checkpoint(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        guard let note = try ledger.latestCheckpoint() else {
            throw APIError.notFound(
                "no checkpoint has been signed yet: run `traceledger checkpoint --key KEYFILE`, or serve with "
                    + "--checkpoint-key and --checkpoint-every")
        }
        return Response(
            status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: note)))
    }

    /// `GET /v1/proofs/{position}?size`: the inclusion proof of an event, as `traceledger prove` prints it.
    func inclusionProof(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let position = try Request.position(try context.parameter("position"), named: "position")
        let size = try request.query("size", as: UInt64.self)
        let json = try ledger.read { snapshot in
            let proof = try snapshot.inclusionProof(position: position, treeSize: size)
            guard let event = try snapshot.event(at: position) else {
                throw LedgerError(.corrupted, "the event at position \(position) is missing")
            }
            return proof.json(event: event, root: try snapshot.merkleRoot(size: proof.treeSize).root)
        }
        return JSONBody.response(bytes: Array(json.utf8))
    }

    /// `GET /v1/reconcile?grace&sla`: the findings, most severe first.
    func reconcile(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        var reconciler = Reconciler()
        if let grace = request.query("grace") {
            guard let span = TimeSpan(grace) else {
                throw APIError.badRequest("grace must be a span such as 2h or 30m")
            }
            reconciler.gracePeriod = span
        }
        if let sla = request.query("sla") {
            guard let span = TimeSpan(sla) else {
                throw APIError.badRequest("sla must be a span such as 1d or 12h")
            }
            reconciler.sla = span
        }
        try await projections.catchUp()
        let report = try reconciler.reconcile(projections)
        let findings: [JSONValue] = report.findings.map { .object($0.jsonObject) }
        let object: JSONObject = [
            "now": JSONValue.time(report.now), "checkpoint": JSONValue.integer(report.checkpoint),
            "findings": .array(findings),
        ]
        return JSONBody.response(object)
    }

    /// `GET /v1/audit?domain&from&until&actor&origin`: JSON, or RFC 4180 CSV with `Accept: text/csv`.
    func audit(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        var query = AuditQuery()
        if let names = request.list("domain") {
            let domains = try EventRoutes.domains(names)
            guard domains.isSubset(of: [.order, .payment, .invoice]) else {
                throw APIError.badRequest("domain takes order, payment and invoice, comma-separated")
            }
            query.domains = domains
        }
        for (name, keyPath) in [("from", \AuditQuery.from), ("until", \AuditQuery.until)] {
            guard let text = request.query(name) else { continue }
            guard let time = Timestamp(rfc3339: text) else {
                throw APIError.badRequest("\(name) must be an RFC 3339 time such as 2026-11-01T00:00:00Z")
            }
            query[keyPath: keyPath] = time
        }
        query.actor = request.query("actor")
        query.origin = request.query("origin")
        try await projections.catchUp()
        let report = try AuditReport.make(query, projections: projections)
        if request.headers[.accept]?.contains("text/csv") == true {
            return Response(
                status: .ok, headers: [.contentType: "text/csv; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: report.csv)))
        }
        return JSONBody.response(report.jsonObject(head: try ledger.head()))
    }
}
