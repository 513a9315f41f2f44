import HTTPTypes
import Hummingbird
import JSONKit
import TraceLedger
import TraceLedgerIngest

/// `POST /v1/cloudevents`: CloudEvents 1.0 over HTTP in structured, batch or binary mode, answered as
/// `POST /v1/events` answers (201 with each outcome, 200 when all were recorded already).
struct CloudEventRoutes {
    let ledger: Ledger
    let metrics: ServerMetrics
    let decoder = CloudEventDecoder()

    func append(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        var request = request
        let body = Array(try await request.collectBody(upTo: ServerLimits.maximumBodyBytes).readableBytesView)
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        let started = ContinuousClock.now
        let events: [ProposedEvent]
        let batch: Bool
        do {
            if contentType.hasPrefix("application/cloudevents-batch+json") {
                events = try decoder.batch(body)
                batch = true
            } else if contentType.hasPrefix("application/cloudevents+json") {
                events = [try decoder.structured(body)]
                batch = false
            } else if request.headers[HTTPField.Name("ce-specversion")!] != nil {
                events = [
                    try decoder.binary(
                        header: { name in HTTPField.Name(name).flatMap { request.headers[$0] } }, body: body)
                ]
                batch = false
            } else {
                throw APIError(
                    .unsupportedMediaType, kind: "unsupportedMediaType",
                    "send application/cloudevents+json (structured), application/cloudevents-batch+json (a batch) "
                        + "or binary mode with ce-* headers, not \(contentType.isEmpty ? "no Content-Type" : contentType)"
                )
            }
        } catch let error as LedgerError {
            metrics.rejected(error)
            throw APIError(error)
        }
        return try await EventRoutes.appendAndAnswer(
            events, lines: batch ? Array(1...events.count) : nil, echoLines: true, ledger: ledger,
            metrics: metrics, started: started)
    }
}
