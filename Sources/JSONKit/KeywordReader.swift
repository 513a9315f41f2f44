/// Reads one keyword's value during schema compilation, refusing values of the wrong shape with
/// a message that names the keyword and its location.
struct KeywordReader {
    let keyword: String
    let value: JSONValue
    let tokens: [String]

    /// The keyword's own location, e.g. `#/properties/amount/minimum`.
    var location: String { JSONPointer.fragment(tokens + [keyword]) }

    func invalid(_ problem: String) -> JSONSchemaError {
        JSONSchemaError(
            .invalidKeywordValue, keyword: keyword, at: location,
            message: "invalid value for \"\(keyword)\" at \(location): \(problem)")
    }

    func unsupported(_ why: String) -> JSONSchemaError {
        let schemaLocation = JSONPointer.fragment(tokens)
        return JSONSchemaError(
            .unsupportedKeyword, keyword: keyword, at: schemaLocation,
            message: "unsupported keyword \(JSONString.quoted(keyword)) at \(schemaLocation): \(why)")
    }

    func string() throws(JSONSchemaError) -> String {
        guard case .string(let text) = value else {
            throw invalid("expected a string, got \(value.typeName)")
        }
        return text
    }

    func bool() throws(JSONSchemaError) -> Bool {
        guard case .bool(let flag) = value else {
            throw invalid("expected true or false, got \(value.typeName)")
        }
        return flag
    }

    func number() throws(JSONSchemaError) -> JSONNumber {
        guard case .number(let number) = value else {
            throw invalid("expected a number, got \(value.typeName)")
        }
        return number
    }

    /// A non-negative integer such as `minLength`; `2.0` is accepted, as 2020-12 allows.
    func count() throws(JSONSchemaError) -> Int {
        guard case .number(let number) = value, number.isInteger, number >= JSONNumber(0) else {
            throw invalid("expected a non-negative integer, got \(value.serialized())")
        }
        return number.int64Value.map { Int(clamping: $0) } ?? Int.max
    }

    func object() throws(JSONSchemaError) -> JSONObject {
        guard case .object(let object) = value else {
            throw invalid("expected an object, got \(value.typeName)")
        }
        return object
    }

    func array() throws(JSONSchemaError) -> [JSONValue] {
        guard case .array(let elements) = value else {
            throw invalid("expected an array, got \(value.typeName)")
        }
        return elements
    }

    func nonEmptyArray() throws(JSONSchemaError) -> [JSONValue] {
        let elements = try array()
        guard !elements.isEmpty else { throw invalid("expected a non-empty array") }
        return elements
    }

    func uniqueStrings() throws(JSONSchemaError) -> [String] {
        var strings: [String] = []
        for element in try array() {
            guard case .string(let text) = element else {
                throw invalid("expected an array of strings, found \(element.typeName)")
            }
            guard !strings.contains(where: { sameCodePoints($0, text) }) else {
                throw invalid("\(JSONString.quoted(text)) is listed twice")
            }
            strings.append(text)
        }
        return strings
    }

    /// The types named, and their names joined for messages in schema order (`string or null`).
    func typeSet() throws(JSONSchemaError) -> (JSONTypeSet, String) {
        let names: [JSONValue]
        switch value {
        case .string: names = [value]
        case .array(let elements) where !elements.isEmpty: names = elements
        default: throw invalid("expected a type name or a non-empty array of type names")
        }
        var set: JSONTypeSet = []
        var readable: [String] = []
        for name in names {
            guard case .string(let text) = name,
                let entry = JSONTypeSet.names.first(where: { $0.name == text })
            else {
                throw invalid(
                    "\(name.serialized()) is not a type; use null, boolean, object, array, number, integer or string"
                )
            }
            set.insert(entry.type)
            readable.append(entry.name)
        }
        return (set, readable.joined(separator: " or "))
    }

    func pattern(_ source: String) throws(JSONSchemaError) -> SchemaPattern {
        do {
            return try SchemaPattern(source)
        } catch {
            throw JSONSchemaError(
                .invalidPattern, keyword: keyword, at: location,
                message:
                    "invalid regular expression \(JSONString.quoted(source)) at \(location): \(error.reason)")
        }
    }
}
