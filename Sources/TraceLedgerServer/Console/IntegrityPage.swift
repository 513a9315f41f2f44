import Foundation
import Hummingbird
import TraceLedger

/// The log's integrity at a glance: the head position and hash, the last verification this server ran, and
/// the latest signed checkpoint and how much of the log it covers.
struct IntegrityPage: Sendable {
    let ledger: Ledger
    let verifications: VerificationRecord

    func page(_ request: Request, _ context: LedgerRequestContext, _ viewer: ConsoleViewer) async throws -> Response {
        let head = try ledger.head()
        let note = try ledger.latestCheckpoint()
        let checkpoint = note.flatMap { try? Checkpoint(text: $0) }
        let verified: String
        if let last = verifications.entry {
            switch last.result {
            case .intact(let through):
                let indexes =
                    last.damagedIndexes.isEmpty
                    ? "every index agrees" : "INDEX DAMAGED: " + last.damagedIndexes.map(\.index).joined(separator: ", ")
                verified = "<span class=\"\(last.damagedIndexes.isEmpty ? "ok" : "bad")\" id=\"verify-result\">intact through "
                    + "position \(through.position)</span>; \(HTML.escape(indexes)); at \(HTML.time(last.at)) "
                    + "(\(String(format: "%.1f", last.seconds)) s)"
            case .broken(let position, let reason):
                verified = "<span class=\"bad\" id=\"verify-result\">BROKEN at position \(position)</span>: "
                    + HTML.escape(reason) + " at " + HTML.time(last.at)
            }
        } else {
            verified = "<span class=\"muted\" id=\"verify-result\">not run since the server started</span>"
        }
        let signed: String
        if let checkpoint {
            let behind = head.position - min(head.position, checkpoint.size)
            signed = "size \(checkpoint.size) of <span class=\"mono\">\(HTML.escape(checkpoint.origin))</span>; "
                + (behind == 0 ? "<span class=\"ok\">covers the whole log</span>" : "\(behind) events after it")
                + "<pre>\(HTML.escape(note ?? ""))</pre>"
        } else {
            signed = "none yet (<code>traceledger checkpoint</code>, or <code>serve --checkpoint-key</code>)"
        }
        let body = """
            <h1>Integrity</h1>
            <div class="grid">
            <div class="card">Head<b id="head-position">\(head.position)</b>\
            <span class="mono">\(HTML.escape(head.hash.description))</span></div>
            <div class="card">Last verify<b>\(verified)</b>
            <form method="post" action="/integrity/verify">\(viewer.csrfField)<button type="submit">Verify now</button></form></div>
            </div>
            <h2>Latest signed checkpoint</h2><div class="panel">\(signed)</div>
            """
        return HTML.response(HTML.page(title: "Integrity", viewer: viewer, body: body))
    }

    /// `POST /integrity/verify`: walks the chain and checks the indexes, as `GET /v1/verify` does.
    func verify(_ request: Request, _ context: LedgerRequestContext, _ viewer: ConsoleViewer) async throws -> Response {
        _ = try await verifications.verify(ledger)
        return Response(status: .seeOther, headers: [.location: "/integrity"])
    }
}
