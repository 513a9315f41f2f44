import JSONKit

/// The compiled JSON Schemas of `schemas/`: the envelope and one per event type. Adding an event type is
/// adding a schema file; nothing else lists the types.
///
/// Sendable: compiled schemas are immutable.
public struct EventSchemas: Sendable {
    /// The schemas compiled into this build.
    public static let builtIn: EventSchemas = {
        do {
            return try EventSchemas(files: embeddedSchemas)
        } catch {
            fatalError("the schemas compiled into this build are invalid: \(error)")
        }
    }()

    let envelope: JSONSchema
    let payloads: [String: JSONSchema]

    /// Every event type with a schema, sorted.
    public var types: [String] { payloads.keys.sorted() }

    /// The event types of one domain, sorted.
    public func types(of domain: Domain) -> [String] { types.filter { $0.hasPrefix(domain.rawValue + ".") } }

    /// Compiles schema files given as (name without `.schema.json`, text); `envelope` is the envelope's.
    public init(files: [(name: String, text: String)]) throws {
        var envelope: JSONSchema?
        var payloads: [String: JSONSchema] = [:]
        for file in files {
            let schema: JSONSchema
            do {
                schema = try JSONSchema(JSONParser.parse(file.text).value)
            } catch {
                throw LedgerError(
                    .invalidArgument, "schema \(file.name).schema.json cannot be used: \(error)")
            }
            if file.name == "envelope" { envelope = schema } else { payloads[file.name] = schema }
        }
        guard let envelope else {
            throw LedgerError(.invalidArgument, "the schemas lack envelope.schema.json")
        }
        for type in payloads.keys {
            let domain = type.split(separator: ".", maxSplits: 1).first.map(String.init) ?? ""
            guard Domain(rawValue: domain) != nil else {
                throw LedgerError(
                    .invalidArgument, "schema \(type).schema.json names no known domain (\(domain))")
            }
        }
        self.envelope = envelope
        self.payloads = payloads
    }
}
