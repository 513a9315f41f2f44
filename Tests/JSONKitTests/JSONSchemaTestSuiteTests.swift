import Foundation
import JSONKit
import Testing

/// Runs the official JSON-Schema-Test-Suite (draft 2020-12) files copied into
/// `JSONSchemaTestSuite/`: every group either validates every case exactly as the suite says, or
/// is listed below and must be refused at load.
@Suite("Official JSON Schema test suite")
struct JSONSchemaTestSuiteTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("JSONSchemaTestSuite")

    static let files = [
        "additionalProperties.json", "allOf.json", "anyOf.json", "const.json", "defs.json", "enum.json",
        "exclusiveMaximum.json", "exclusiveMinimum.json", "items.json", "maxItems.json", "maxLength.json",
        "maxProperties.json", "maximum.json", "minItems.json", "minLength.json", "minProperties.json",
        "minimum.json", "oneOf.json", "pattern.json", "patternProperties.json", "prefixItems.json",
        "properties.json", "ref.json", "required.json", "type.json", "uniqueItems.json",
    ]

    /// Groups that must be refused at load, keyed "file: group description", with the reason.
    static let expectedRefusals: [String: String] = [
        "additionalProperties.json: additionalProperties with propertyNames": "propertyNames",
        "additionalProperties.json: dependentSchemas with additionalProperties": "dependentSchemas",
        "allOf.json: allOf combined with anyOf, oneOf": "multipleOf",
        "defs.json: validate definition against metaschema": "remote $ref to the metaschema",
        "ref.json: remote ref, containing refs itself": "remote $ref to the metaschema",
        "ref.json: Recursive references between schemas": "$id in a subschema",
        "ref.json: ref creates new scope when adjacent to keywords": "unevaluatedProperties",
        "ref.json: refs with relative uris and defs": "$id in a subschema",
        "ref.json: relative refs with absolute uris and defs": "$id in a subschema",
        "ref.json: $id must be resolved against nearest parent, not just immediate parent":
            "$id in a subschema",
        "ref.json: order of evaluation: $id and $ref": "$id in a subschema",
        "ref.json: order of evaluation: $id and $anchor and $ref": "$id in a subschema, $anchor",
        "ref.json: order of evaluation: $id and $ref on nested schema": "$id in a subschema",
        "ref.json: simple URN base URI with $ref via the URN": "$ref through the root $id",
        "ref.json: URN base URI with URN and JSON pointer ref": "$ref through the root $id",
        "ref.json: URN base URI with URN and anchor ref": "$anchor, $ref through the root $id",
        "ref.json: URN ref with nested pointer ref": "$id in a subschema",
        "ref.json: ref to if": "if",
        "ref.json: ref to then": "then",
        "ref.json: ref to else": "else",
        "ref.json: ref with absolute-path-reference": "$id in a subschema",
    ]

    static func loadGroups(_ file: String) throws -> [JSONValue] {
        let bytes = try [UInt8](Data(contentsOf: directory.appendingPathComponent(file)))
        let document = try JSONParser.parse(bytes)
        return try #require(document.value.arrayValue, "\(file) is not an array of groups")
    }

    @Test("the whole suite runs: 179 groups, 21 refused, 577 cases validated")
    func summary() throws {
        var groups = 0
        var refused = 0
        var cases = 0
        for file in Self.files {
            for group in try Self.loadGroups(file) {
                groups += 1
                do {
                    _ = try JSONSchema(try #require(group["schema"]))
                    cases += group["tests"]?.arrayValue?.count ?? 0
                } catch {
                    refused += 1
                }
            }
        }
        #expect(groups == 179)
        #expect(refused == Self.expectedRefusals.count)
        #expect(cases == 577)
    }

    @Test("every suite file parses", arguments: files)
    func suiteFileParses(file: String) throws {
        let groups = try Self.loadGroups(file)
        #expect(!groups.isEmpty)
    }

    @Test("every group validates as the suite says or is an expected refusal", arguments: files)
    func suiteFile(file: String) throws {
        var refusedGroups: Set<String> = []
        for group in try Self.loadGroups(file) {
            let description = try #require(group["description"]?.stringValue)
            let key = "\(file): \(description)"
            let schemaDocument = try #require(group["schema"])
            let schema: JSONSchema
            do {
                schema = try JSONSchema(schemaDocument)
            } catch {
                refusedGroups.insert(key)
                #expect(Self.expectedRefusals[key] != nil, "unexpectedly refused \(key): \(error)")
                continue
            }
            #expect(Self.expectedRefusals[key] == nil, "expected \(key) to be refused at load")
            for test in try #require(group["tests"]?.arrayValue) {
                let data = try #require(test["data"])
                let expected = try #require(test["valid"]?.boolValue as Bool?)
                let caseName = try #require(test["description"]?.stringValue)
                let violations = schema.validate(data)
                #expect(schema.isValid(data) == expected, "\(key) / \(caseName)")
                #expect(violations.isEmpty == expected, "\(key) / \(caseName): \(violations)")
            }
        }
        let listedForFile = Self.expectedRefusals.keys.filter { $0.hasPrefix("\(file): ") }
        for listed in listedForFile {
            #expect(
                refusedGroups.contains(listed), "listed refusal \(listed) is not a group that was refused")
        }
    }
}
