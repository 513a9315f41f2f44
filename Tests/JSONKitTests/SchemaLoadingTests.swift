import JSONKit
import Testing

@Suite("Schema loading refuses what it cannot enforce")
struct SchemaLoadingTests {
    func refusal(_ schema: String) -> JSONSchemaError? {
        do {
            _ = try JSONSchema(parsing: schema)
            return nil
        } catch {
            return error
        }
    }

    @Test(
        "unsupported keywords are refused with their name and location",
        arguments: [
            (##"{"dependentRequired": {"a": ["b"]}}"##, "dependentRequired", "#"),
            (##"{"properties": {"x": {"if": {}}}}"##, "if", "#/properties/x"),
            (##"{"unevaluatedProperties": false}"##, "unevaluatedProperties", "#"),
            (##"{"$defs": {"a": {"$dynamicRef": "#x"}}}"##, "$dynamicRef", "#/$defs/a"),
            (##"{"multipleOf": 0.01}"##, "multipleOf", "#"),
            (##"{"items": {"contains": {}}}"##, "contains", "#/items"),
            (##"{"propertyNames": {"maxLength": 3}}"##, "propertyNames", "#"),
            (##"{"$anchor": "a"}"##, "$anchor", "#"),
            (##"{"allOf": [{"typo": 1}]}"##, "typo", "#/allOf/0"),
            (##"{"definitions": {}}"##, "definitions", "#"),
            (##"{"properties": {"a/b": {"minimum": 1, "maxmum": 2}}}"##, "maxmum", "#/properties/a~1b"),
            (##"{"$defs": {"x": {"$id": "x.json"}}}"##, "$id", "#/$defs/x"),
        ])
    func unsupportedKeyword(schema: String, keyword: String, location: String) throws {
        let error = try #require(refusal(schema), "accepted \(schema)")
        #expect(error.kind == .unsupportedKeyword)
        #expect(error.keyword == keyword)
        #expect(error.schemaLocation == location)
        #expect(error.message.contains("\"\(keyword)\"") && error.message.contains(location), "\(error)")
    }

    @Test("names inside properties, patternProperties and $defs are not keywords")
    func namesAreNotKeywords() throws {
        _ = try JSONSchema(
            parsing: #"""
                {"properties": {"if": {}, "multipleOf": {"type": "string"}},
                 "patternProperties": {"^contains$": true},
                 "$defs": {"unevaluatedProperties": {"type": "null"}},
                 "x-owner": {"anything": "goes"}, "title": "t", "description": "d", "$comment": "c",
                 "examples": [1], "default": {}, "format": "date-time",
                 "$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://example.com/s"}
                """#)
    }

    @Test(
        "references that are not local JSON pointers are refused",
        arguments: [
            ##"{"$ref": "https://json-schema.org/draft/2020-12/schema"}"##,
            ##"{"$ref": "other.json#/a"}"##,
            ##"{"$ref": "#anchor"}"##,
            ##"{"$ref": "#/$defs/missing"}"##,
            ##"{"$id": "urn:x", "$ref": "urn:x#/$defs/a", "$defs": {"a": {}}}"##,
        ])
    func nonLocalReference(schema: String) throws {
        let error = try #require(refusal(schema), "accepted \(schema)")
        #expect(error.kind == .unresolvableReference, "\(error)")
        #expect(error.keyword == "$ref")
    }

    @Test(
        "malformed keyword values are refused",
        arguments: [
            ##"{"type": "integr"}"##, ##"{"minLength": -1}"##, ##"{"minItems": 1.5}"##,
            ##"{"required": "a"}"##,
            ##"{"required": ["a", "a"]}"##, ##"{"anyOf": []}"##, ##"{"items": [{}]}"##,
            ##"{"minimum": "1"}"##,
            ##"{"properties": {"a": 3}}"##, ##"{"$schema": "http://json-schema.org/draft-07/schema#"}"##,
            ##"{"uniqueItems": 1}"##,
        ])
    func malformedValue(schema: String) throws {
        let error = try #require(refusal(schema), "accepted \(schema)")
        #expect(error.kind == .invalidKeywordValue, "\(error)")
    }

    @Test("invalid patterns, invalid JSON and endless reference loops are refused")
    func otherRefusals() throws {
        #expect(refusal(##"{"pattern": "(unclosed"}"##)?.kind == .invalidPattern)
        #expect(refusal(##"{"patternProperties": {"[": {}}}"##)?.kind == .invalidPattern)
        #expect(refusal(##"{"type": "object",}"##)?.kind == .invalidJSON)
        #expect(refusal(##"{"$ref": "#"}"##)?.kind == .referenceCycle)
        #expect(
            refusal(
                ##"{"$defs": {"a": {"anyOf": [{"$ref": "#/$defs/b"}]}, "b": {"not": {"$ref": "#/$defs/a"}}}}"##
            )?.kind == .referenceCycle)
        // Recursion through a child instance is fine.
        #expect(refusal(##"{"properties": {"next": {"$ref": "#"}}}"##) == nil)
    }

    @Test("the refusal message is actionable")
    func message() throws {
        let error = try #require(refusal(##"{"properties": {"order": {"dependentRequired": {}}}}"##))
        #expect(
            error.description
                == "unsupported keyword \"dependentRequired\" at #/properties/order: JSONKit refuses schemas it cannot enforce completely"
        )
    }
}
