import Foundation
public import Hummingbird
import JSONKit
import TraceLedger
import TraceLedgerSinks

/// Replay consumers and their dead letters: what the on-call engineer works with.
struct ConsumerRoutes {
    let ledger: Ledger

    /// `GET /v1/consumers`: each consumer with checkpoint, lag and dead letters.
    func list(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        JSONBody.response(["consumers": .array(try ledger.consumerStatuses().map { .object($0.jsonObject) })])
    }

    /// `GET /v1/consumers/{name}/dead-letters`.
    func deadLetters(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let name = try context.parameter("name")
        let (consumer, letters) = try ledger.read {
            (try $0.consumer(named: name), try $0.deadLetters(of: name))
        }
        guard consumer != nil else { throw APIError.notFound("there is no consumer named \(name)") }
        return JSONBody.response([
            "consumer": .string(name), "deadLetters": .array(letters.map { .object($0.jsonObject) }),
        ])
    }

    /// `POST /v1/consumers/{name}/dead-letters/{position}/retry` with `{"reason": "…", "to"?: "SINK"}`:
    /// delivers it again (to `to`, else the consumer's last sink), then the events held behind it.
    func retry(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        try await resolve(request, context: context, retrying: true)
    }

    /// `POST /v1/consumers/{name}/dead-letters/{position}/discard` with `{"reason": "…"}`.
    func discard(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        try await resolve(request, context: context, retrying: false)
    }

    private func resolve(_ request: Request, context: LedgerRequestContext, retrying: Bool) async throws
        -> Response
    {
        var request = request
        let name = try context.parameter("name")
        let positionText = try context.parameter("position")
        guard let position = UInt64(positionText) else {
            throw APIError.badRequest("the position must be a whole number, got \(positionText)")
        }
        let body = try await request.collectBody(upTo: 64 * 1024)
        let object: JSONObject
        do {
            guard case .object(let parsed) = try JSONParser.parse(Array(body.readableBytesView)).value else {
                throw APIError.badRequest("the body must be a JSON object with a reason")
            }
            object = parsed
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError.badRequest("the body must be a JSON object with a reason: \(error)")
        }
        guard let reason = object["reason"]?.stringValue, !reason.trimmingCharacters(in: .whitespaces).isEmpty
        else {
            throw APIError.badRequest("say why in \"reason\": it is recorded in the ledger with the actor")
        }
        let actor = try Self.actor(of: context, body: object)
        guard let consumer = try ledger.consumer(named: name) else {
            throw APIError.notFound("there is no consumer named \(name)")
        }
        let address = object["to"]?.stringValue ?? consumer.sink
        guard !address.isEmpty else {
            throw APIError.badRequest("give \"to\": the consumer has no last sink")
        }
        let sink = try SinkAddress.open(address)
        let queue = DeadLetterQueue(ledger: ledger, consumer: name)
        var options = ReplayOptions(consumer: name, actor: actor)
        options.maximumAttempts = 3
        let resolution: DeadLetterQueue.Resolution
        do {
            resolution =
                retrying
                ? try await queue.retry(
                    positions: [position], sink: sink, options: options, actor: actor, reason: reason)
                : try await queue.discard(
                    positions: [position], sink: sink, options: options, actor: actor, reason: reason)
        } catch {
            await sink.close()
            throw error
        }
        await sink.close()
        return JSONBody.response([
            "delivered": .array(resolution.delivered.map { .integer($0) }),
            "discarded": .array(resolution.discarded.map { .integer($0) }),
            "stillDead": .array(resolution.stillDead.map { .object($0.jsonObject) }),
        ])
    }

    /// Who acts: the token's name (`user:` when it is an e-mail address, else `service:`), or without a token
    /// file the body's `actor`.
    static func actor(of context: LedgerRequestContext, body: JSONObject) throws -> String {
        if let caller = context.caller {
            return (caller.name.contains("@") ? "user:" : "service:") + caller.name
        }
        guard let actor = body["actor"]?.stringValue else {
            throw APIError.badRequest("say who acts in \"actor\", such as user:alice@example.com")
        }
        return actor
    }
}
