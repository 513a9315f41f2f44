import Foundation
public import Hummingbird
import JSONKit
import NIOCore
import TraceLedger

/// `/healthz`, `/readyz` and `/metrics`: what a load balancer and Prometheus ask, without a token.
struct HealthRoutes {
    let ledger: Ledger
    let metrics: ServerMetrics
    /// Renders the Prometheus text of every metric (given by the executable, which owns the registry).
    let renderMetrics: @Sendable () -> [UInt8]

    /// The process answers.
    func health(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        JSONBody.response(["status": .string("ok")])
    }

    /// The store is open, its writer alive, and neither the disk nor the map is (nearly) full.
    func ready(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let readiness = ledger.readiness()
        let object: JSONObject = [
            "ready": .bool(readiness.isReady), "problems": .array(readiness.problems.map { .string($0) }),
            "freeDiskBytes": readiness.freeDiskBytes.map { .integer($0) } ?? .null,
            "mapUsedFraction": .number(
                JSONNumber(literal: String(format: "%.4f", readiness.mapUsedFraction))!),
        ]
        return JSONBody.response(status: readiness.isReady ? .ok : .serviceUnavailable, object)
    }

    /// Prometheus text format 0.0.4.
    func metrics(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        try metrics.refresh(from: ledger)
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: renderMetrics())))
    }
}
