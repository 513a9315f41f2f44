import Foundation
import HTTPTypes
public import Hummingbird
import JSONKit
import Logging
import NIOCore
import TraceLedger

/// Every error the API answers with, in one body shape:
/// `{"error":{"kind":"conflict","message":"…","line":3,"field":"payload.amount","rule":"pattern","batchIndex":2}}`.
///
/// Sendable: plain values.
public struct APIError: HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let kind: String
    public let message: String
    var line: Int?
    var field: String?
    var rule: String?
    var batchIndex: Int?
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, kind: String, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.kind = kind
        self.message = message
        self.headers = headers
    }

    /// The response for an engine error: its kind decides the status (docs/operations.md).
    init(_ error: LedgerError) {
        let status: HTTPResponse.Status =
            switch error.kind {
            case .invalidEvent: error.rule == "json" ? .badRequest : .unprocessableContent
            case .invalidArgument: .badRequest
            case .conflict: .conflict
            case .notFound: .notFound
            case .tooLarge: .contentTooLarge
            case .unavailable: .serviceUnavailable
            case .corrupted, .notAStore, .storage: .internalServerError
            }
        self.init(status, kind: "\(error.kind)", error.message)
        line = error.line
        field = error.field
        rule = error.rule
        batchIndex = error.batchIndex
    }

    static func badRequest(_ message: String) -> APIError {
        APIError(.badRequest, kind: "invalidArgument", message)
    }

    static func notFound(_ message: String) -> APIError { APIError(.notFound, kind: "notFound", message) }

    var body: JSONObject {
        var error: JSONObject = ["kind": .string(kind), "message": .string(message)]
        if let line { error["line"] = .number(JSONNumber(line)) }
        if let field { error["field"] = .string(field) }
        if let rule { error["rule"] = .string(rule) }
        if let batchIndex { error["batchIndex"] = .number(JSONNumber(batchIndex)) }
        return ["error": .object(error)]
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(
            status: status, headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(string: JSONValue.object(body).serialized() + "\n")))
    }
}

/// Turns any error a route throws into the API's one error shape.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as LedgerError {
            throw APIError(error)
        } catch let error as HTTPError {
            throw APIError(
                error.status, kind: error.status == .notFound ? "notFound" : "http",
                error.body ?? "\(error.status)")
        } catch is NIOTooManyBytesError {
            throw APIError(
                LedgerError(
                    .tooLarge,
                    "the request body is over \(ServerLimits.maximumBodyBytes) bytes; send fewer events per request"
                ))
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(error)"])
            throw APIError(.internalServerError, kind: "internal", "the server failed: \(error)")
        }
    }
}
