import JSONKit
import Testing

@Suite("Schema violations a person can act on")
struct SchemaViolationTests {
    static let orderSchema = #"""
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "type": "object",
          "required": ["orderId", "currency", "lines"],
          "additionalProperties": false,
          "properties": {
            "orderId": {"type": "integer", "minimum": 1},
            "currency": {"enum": ["EUR", "USD"]},
            "note": {"type": ["string", "null"], "maxLength": 5},
            "lines": {
              "type": "array", "minItems": 1,
              "items": {"$ref": "#/$defs/line"}
            }
          },
          "$defs": {
            "line": {
              "type": "object",
              "required": ["sku", "unitPrice"],
              "properties": {
                "sku": {"type": "string"},
                "unitPrice": {"type": "string", "pattern": "^-?[0-9]+(\\.[0-9]+)?$"},
                "weird key": {"type": "boolean"}
              }
            }
          }
        }
        """#

    func violations(_ instance: String, schema: String = orderSchema) throws -> [JSONSchemaViolation] {
        let schema = try JSONSchema(parsing: schema)
        let value = try JSONParser.parse(instance).value
        let violations = schema.validate(value)
        #expect(schema.isValid(value) == violations.isEmpty)
        return violations
    }

    @Test("a valid instance has no violations")
    func valid() throws {
        let instance = #"{"orderId": 7, "currency": "EUR", "lines": [{"sku": "A", "unitPrice": "59.20"}]}"#
        #expect(try violations(instance).isEmpty)
    }

    @Test("violations name the field, the rule and what was wrong, in document order")
    func orderViolations() throws {
        let instance = #"""
            {"orderId": 0, "currency": "GBP", "note": 12,
             "lines": [{"unitPrice": "59.2x", "weird key": 1}], "extra": true}
            """#
        let found = try violations(instance).map { "\($0.pathDescription) | \($0.keyword) | \($0.message)" }
        #expect(
            found == [
                "orderId | minimum | must be >= 1, got 0",
                "currency | enum | must be one of \"EUR\", \"USD\"; got \"GBP\"",
                "note | type | expected string or null, got number 12",
                "lines[0].unitPrice | pattern | \"59.2x\" does not match pattern ^-?[0-9]+(\\.[0-9]+)?$",
                "lines[0][\"weird key\"] | type | expected boolean, got number 1",
                "lines[0].sku | required | missing required field \"sku\"",
                "extra | additionalProperties | field \"extra\" is not allowed here",
            ])
    }

    /// Members present are reported in document order; missing fields (which have no position)
    /// follow them.
    @Test("a missing field is reported at its own path")
    func requiredPath() throws {
        let found = try violations(#"{"orderId": 1, "lines": []}"#)
        #expect(
            found.map(\.description) == [
                "lines: must have at least 1 item, got 0", "currency: missing required field \"currency\"",
            ])
    }

    @Test("type messages show the offending value")
    func typeMessage() throws {
        let found = try violations(
            #"{"orderId": "12", "currency": "EUR", "lines": [{"sku": "A", "unitPrice": 5}]}"#)
        #expect(
            found.map(\.message) == ["expected integer, got string \"12\"", "expected string, got number 5"])
    }

    @Test("anyOf and oneOf failures quote each alternative's first problem")
    func alternatives() throws {
        let schema =
            #"{"properties": {"v": {"anyOf": [{"type": "string"}, {"type": "integer", "minimum": 10}]}}}"#
        let found = try violations(#"{"v": 3}"#, schema: schema)
        #expect(found.count == 1)
        #expect(found.first?.keyword == "anyOf")
        #expect(found.first?.pathDescription == "v")
        #expect(
            found.first?.message
                == "matches none of 2 alternatives (1: expected string, got number 3; 2: must be >= 10, got 3)"
        )
        let oneOf = #"{"oneOf": [{"type": "integer"}, {"minimum": 0}]}"#
        #expect(
            try violations("5", schema: oneOf).first?.message
                == "must match exactly one of 2 alternatives, but matches 2 (1, 2)")
    }

    @Test("path descriptions use dots for identifiers and brackets otherwise")
    func pathDescriptions() {
        let path: [JSONPathComponent] = [
            .key("lines"), .index(0), .key("unitPrice"), .key("a b"), .key("9x"),
        ]
        #expect(path.pathDescription == #"lines[0].unitPrice["a b"]["9x"]"#)
        #expect([JSONPathComponent]().pathDescription == "")
        #expect([JSONPathComponent.index(3)].pathDescription == "[3]")
    }

    @Test("numbers are compared exactly, strings by code points")
    func exactness() throws {
        let schema = #"{"maximum": 9007199254740992, "maxLength": 2}"#
        #expect(
            try violations("9007199254740993", schema: schema).first?.message
                == "must be <= 9007199254740992, got 9007199254740993")
        #expect(try violations("\"😀😀\"", schema: schema).isEmpty)
        #expect(try violations("\"e\u{301}e\"", schema: schema).count == 1)
    }

    @Test("patterns follow ECMA-262: ASCII \\d, $ only at the very end, unanchored search")
    func patternSemantics() throws {
        let digits = #"{"pattern": "^\\d+$"}"#
        #expect(try violations("\"123\"", schema: digits).isEmpty)
        #expect(try violations("\"١٢٣\"", schema: digits).count == 1)
        #expect(try violations("\"123\\n\"", schema: digits).count == 1)
        #expect(try violations("\"xx12yy\"", schema: #"{"pattern": "[0-9]+"}"#).isEmpty)
    }

    @Test("the violation limit caps the list")
    func limit() throws {
        let schema = try JSONSchema(parsing: #"{"items": {"type": "string"}}"#)
        let value = try JSONParser.parse("[1,2,3,4,5]").value
        #expect(schema.validate(value).count == 5)
        #expect(schema.validate(value, limit: 2).count == 2)
    }
}
