import JSONKit

/// Reads exported or captured payloads for `traceledger ingest`: each becomes a delivery with its exact bytes,
/// mapped like a webhook (no signature; origin and actor say it was a backfill).
///
/// Accepted shapes: one payload; a JSON array of them; NDJSON, one per line; Stripe's list form
/// (`{"object": "list", "data": […]}`); and Shopify's REST wrappers, `{"order": {…}}` or
/// `{"orders": […]}`, whose key also gives the topic when `--topic` is not given.
public enum BackfillFile {
    /// The topic a Shopify REST wrapper's resource is loaded as.
    static let shopifyTopics: [String: String] = [
        "order": "orders/create", "refund": "refunds/create", "customer": "customers/create",
        "inventory_level": "inventory_levels/update", "fulfillment": "fulfillments/create",
    ]

    /// The deliveries in `bytes`.
    ///
    /// - Parameters:
    ///   - topic: the Shopify topic of every payload; nil to take it from the wrapper. Ignored for Stripe
    ///     (each event names its type).
    ///   - source: the file's name, for messages.
    /// - Throws: `IngestError` `.malformed` naming the file and line or element that is not a payload, or a
    ///   Shopify payload whose topic is unknown.
    public static func deliveries(
        _ provider: Provider, bytes: [UInt8], topic: String?, source: String
    ) throws(IngestError) -> [ProviderDelivery] {
        var deliveries: [ProviderDelivery] = []
        for (where_, body, wrapper) in try payloads(bytes, source: source) {
            switch provider {
            case .stripe:
                do throws(IngestError) {
                    deliveries.append(try .stripe(body: body, isBackfill: true))
                } catch {
                    throw IngestError(.malformed, "\(where_): \(error.message)")
                }
            case .shopify:
                guard let topic = topic ?? wrapper.flatMap({ shopifyTopics[$0] }) else {
                    throw IngestError(
                        .malformed,
                        "\(where_): which Shopify topic is this payload? give --topic (orders/create, refunds/create, …)"
                    )
                }
                let resource = try DeliveryMapper.object(body, provider: .shopify)
                let id =
                    resource.id("id")
                    ?? resource.id("inventory_item_id").map { "\($0)@\(resource.id("location_id") ?? "")" }
                guard let id else { throw IngestError(.malformed, "\(where_): the payload has no id") }
                // A backfill has no delivery id: the resource and its version are what make it this change.
                let version = resource.text("updated_at") ?? resource.text("created_at") ?? ""
                deliveries.append(
                    ProviderDelivery(
                        provider: .shopify, topic: topic, deliveryId: "backfill:\(id):\(version)",
                        scope: "backfill",
                        body: body, isBackfill: true))
            }
        }
        return deliveries
    }

    /// Each payload's exact bytes, where it was found, and the Shopify wrapper key it came in.
    private static func payloads(_ bytes: [UInt8], source: String) throws(IngestError)
        -> [(String, [UInt8], String?)]
    {
        let document: JSONDocument
        do {
            document = try bytes.withUnsafeBytes { try JSONParser.parse($0) }
        } catch {
            return try lines(bytes, source: source)
        }
        switch document.value {
        case .array:
            return document.elementByteRanges.enumerated().map {
                ("\(source) element \($0.offset + 1)", Array(bytes[$0.element]), nil)
            }
        case .object(let object):
            if object["object"]?.stringValue == "list", let range = document.byteRange(ofMember: "data") {
                return try elements(Array(bytes[range]), source: source, wrapper: nil)
            }
            if object.count <= 2, let key = object.keys.first, let range = document.byteRange(ofMember: key) {
                if shopifyTopics[key] != nil, case .object = object[key] {
                    return [(source, Array(bytes[range]), key)]
                }
                let singular = String(key.dropLast())
                if shopifyTopics[singular] != nil, case .array = object[key] {
                    return try elements(Array(bytes[range]), source: source, wrapper: singular)
                }
            }
            return [(source, bytes, nil)]
        default:
            throw IngestError(.malformed, "\(source) holds a JSON \(document.value.typeName), not payloads")
        }
    }

    private static func elements(_ bytes: [UInt8], source: String, wrapper: String?) throws(IngestError)
        -> [(String, [UInt8], String?)]
    {
        let document: JSONDocument
        do {
            document = try bytes.withUnsafeBytes { try JSONParser.parse($0) }
        } catch {
            throw IngestError(.malformed, "\(source) is not JSON: \(error)")
        }
        return document.elementByteRanges.enumerated().map {
            ("\(source) element \($0.offset + 1)", Array(bytes[$0.element]), wrapper)
        }
    }

    private static func lines(_ bytes: [UInt8], source: String) throws(IngestError) -> [(
        String, [UInt8], String?
    )] {
        var found: [(String, [UInt8], String?)] = []
        for (number, line) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .enumerated()
        {
            let trimmed = Array(line.drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D })
            if trimmed.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            do {
                _ = try trimmed.withUnsafeBytes { try JSONParser.parse($0) }
            } catch {
                throw IngestError(.malformed, "\(source) line \(number + 1) is not JSON: \(error)")
            }
            found.append(("\(source) line \(number + 1)", Array(line), nil))
        }
        guard !found.isEmpty else { throw IngestError(.malformed, "\(source) holds no payloads") }
        return found
    }
}
