public import Foundation
import JSONKit

/// The providers' public fixtures (Fixtures/SOURCES.md names each file's upstream): Shopify's REST resources
/// and Stripe's objects and signature vector, byte-exact.
public enum ProviderFixtures {
    /// The bytes of `Fixtures/<path>`, e.g. `stripe/event_test_signature.json`.
    public static func bytes(_ path: String) throws -> [UInt8] {
        guard let url = Bundle.module.url(forResource: "Fixtures/" + path, withExtension: nil) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        return Array(try Data(contentsOf: url))
    }

    /// A Shopify fixture as a webhook body: the resource unwrapped from `{"order": …}`, its bytes unchanged.
    public static func shopifyBody(_ resource: String) throws -> [UInt8] {
        let file = try bytes("shopify/rest-fixture-2024-04.\(resource).shopify-api-js.json")
        let document = try file.withUnsafeBytes { try JSONParser.parse($0) }
        guard let range = document.byteRange(ofMember: resource) else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: resource])
        }
        return Array(file[range])
    }

    /// A Stripe object fixture wrapped in an event of `type`, with `metadata` merged into the object (as a
    /// shop sets `metadata.order_id`) and `previous` as `data.previous_attributes`.
    public static func stripeEvent(
        _ object: String, type: String, id: String, created: Int = 1_733_000_000,
        metadata: [String: String] = [:],
        previous: String? = nil, changes: [String: String] = [:]
    ) throws -> [UInt8] {
        var text = String(decoding: try bytes("stripe/openapi-fixtures3.\(object).json"), as: UTF8.self)
        if !metadata.isEmpty {
            let members = metadata.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \"\($0.value)\"" }
            text = text.replacingOccurrences(
                of: "\"metadata\": {}", with: "\"metadata\": {" + members.joined(separator: ", ") + "}")
        }
        for (field, value) in changes {
            guard let range = text.range(of: "\"\(field)\": [^,\\n]*", options: .regularExpression) else {
                continue
            }
            text.replaceSubrange(range, with: "\"\(field)\": \(value)")
        }
        let previousText = previous.map { ", \"previous_attributes\": \($0)" } ?? ""
        return Array(
            """
            {"id": "\(id)", "object": "event", "api_version": "2024-06-20", "created": \(created), \
            "livemode": false, "type": "\(type)", "data": {"object": \(text)\(previousText)}}
            """.utf8)
    }
}
