import Foundation
import HTTPTypes
public import Hummingbird
import JSONKit
import NIOCore
import TraceLedger

/// Responses in the API's JSON forms: the engine's forms (`jsonObject`) and the CLI's envelopes, byte for
/// byte.
enum JSONBody {
    static func response(status: HTTPResponse.Status = .ok, _ object: JSONObject, headers: HTTPFields = [:])
        -> Response
    {
        response(status: status, bytes: JSONValue.object(object).serializedBytes(), headers: headers)
    }

    static func response(status: HTTPResponse.Status = .ok, bytes: [UInt8], headers: HTTPFields = [:])
        -> Response
    {
        var fields = headers
        fields[.contentType] = "application/json"
        var body = bytes
        body.append(UInt8(ascii: "\n"))
        return Response(
            status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// `{…members, "events":[envelope, …], …after}`: the envelopes exactly as `--json` prints them.
    static func events(
        _ events: [RecordedEvent], before: JSONObject = [:], after: JSONObject = [:]
    ) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(events.count * 500 + 64)
        var members = JSONValue.object(before).serializedBytes()
        members.removeLast()  // the closing brace
        out += members
        if !before.isEmpty { out.append(UInt8(ascii: ",")) }
        out += Array(#""events":["#.utf8)
        for (index, event) in events.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            event.appendEnvelopeJSON(to: &out)
        }
        out.append(UInt8(ascii: "]"))
        for (key, value) in after.members {
            out.append(UInt8(ascii: ","))
            JSONString.appendQuoted(key, to: &out)
            out.append(UInt8(ascii: ":"))
            value.appendSerialized(to: &out)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }
}

extension Request {
    /// The query parameter `name`, or nil.
    func query(_ name: String) -> String? { uri.queryParameters[name[...]].map(String.init) }

    /// The query parameter `name` as a whole number, or a 400 naming it.
    func query(_ name: String, as: UInt64.Type) throws -> UInt64? {
        guard let text = query(name) else { return nil }
        return try Self.position(text, named: name)
    }

    /// `text` as a position or count: a whole number no larger than any log can reach (2^62), or a 400.
    static func position(_ text: String, named name: String) throws -> UInt64 {
        guard let value = UInt64(text.trimmingCharacters(in: .whitespaces)), value <= 1 << 62 else {
            throw APIError.badRequest("\(name) must be a whole number from 0 to 2^62, got \"\(text)\"")
        }
        return value
    }

    /// The query parameter `name` as a position or an RFC 3339 time, or a 400 naming it.
    func bound(_ name: String) throws -> EventQuery.Bound? {
        guard let text = query(name) else { return nil }
        if !text.isEmpty, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber) {
            return .position(try Self.position(text, named: name))
        }
        if let time = Timestamp(rfc3339: text) { return .time(time) }
        throw APIError.badRequest(
            "\(name) must be a position or an RFC 3339 time such as 2026-11-02T09:00:00Z")
    }

    /// A comma-separated list parameter, or nil.
    func list(_ name: String) -> Set<String>? {
        query(name).map { Set($0.split(separator: ",").map(String.init)) }
    }
}

extension LedgerRequestContext {
    /// A path parameter that the route guarantees.
    /// A path parameter, percent-decoded (`SKU-1%40WH-BER` is `SKU-1@WH-BER`).
    func parameter(_ name: String) throws -> String {
        guard let raw = parameters.get(name) else { throw APIError.badRequest("missing \(name)") }
        guard let value = raw.removingPercentEncoding else {
            throw APIError.badRequest("\(name) \"\(raw)\" is not valid percent-encoding")
        }
        return value
    }
}
