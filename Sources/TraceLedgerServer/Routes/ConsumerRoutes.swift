import Foundation
public import Hummingbird
import JSONKit
import NIOCore
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

    /// `POST /v1/consumers/{name}/dead-letters/{position}/retry` with `{"reason": "…"}`: delivers it again to
    /// the consumer's sink (the one its last replay used: over HTTP no other destination can be named, so an
    /// `operate` token cannot make the server write files or reach arbitrary hosts), then the events held
    /// behind it.
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
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: 64 * 1024)
        } catch is NIOTooManyBytesError {
            throw APIError(LedgerError(.tooLarge, "the body is over 64 KiB; it holds only a reason"))
        }
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
        guard object["to"] == nil else {
            throw APIError.badRequest(
                "\"to\" cannot be given over HTTP: the consumer's own sink is used (`traceledger dlq retry --to` "
                    + "on the server's machine names another)")
        }
        let resolution = try await resolve(
            consumer: name, position: position, retrying: retrying, actor: actor, reason: reason)
        return JSONBody.response([
            "delivered": .array(resolution.delivered.map { .integer($0) }),
            "discarded": .array(resolution.discarded.map { .integer($0) }),
            "stillDead": .array(resolution.stillDead.map { .object($0.jsonObject) }),
        ])
    }

    /// Retries or discards one dead letter through the consumer's own sink (the one its last replay used),
    /// recording the action with `actor` and `reason`: what the API's and the console's actions both do.
    func resolve(consumer name: String, position: UInt64, retrying: Bool, actor: String, reason: String)
        async throws -> DeadLetterQueue.Resolution
    {
        guard let consumer = try ledger.consumer(named: name) else {
            throw APIError.notFound("there is no consumer named \(name)")
        }
        let address = consumer.sink
        guard !address.isEmpty else {
            throw APIError.badRequest("the consumer has no sink yet: replay it first")
        }
        // Check the reason and actor before anything is delivered: the record of the action must be writable.
        _ = try DeadLetterQueue.validateAction(actor: actor, reason: reason, consumer: name)
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
        return resolution
    }

    /// The actor a token's owner is recorded as: `user:` when its name is an e-mail address, else `service:`.
    static func actor(ofToken name: String) -> String {
        (name.contains("@") ? "user:" : "service:") + name
    }

    /// Who acts: the token's name (`user:` when it is an e-mail address, else `service:`), or without a token
    /// file the body's `actor`.
    static func actor(of context: LedgerRequestContext, body: JSONObject) throws -> String {
        if let caller = context.caller { return actor(ofToken: caller.name) }
        guard let actor = body["actor"]?.stringValue else {
            throw APIError.badRequest("say who acts in \"actor\", such as user:alice@example.com")
        }
        return actor
    }
}
