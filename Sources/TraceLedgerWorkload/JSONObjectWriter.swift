/// Writes one JSON object by hand, keys in the order they are added.
///
/// Foundation's `JSONSerialization` reorders keys and turns large integers into doubles; the
/// ledger keeps payloads byte-exact, so the workload writes its JSON itself. Strings are escaped
/// per RFC 8259 (quote, backslash, control characters); everything else, including non-ASCII
/// text, is written as UTF-8.
///
/// ```swift
/// var object = JSONObjectWriter()
/// object.add("sku", "SKU-00042")
/// object.add("quantity", 2)
/// let json = object.finish()   // {"sku":"SKU-00042","quantity":2}
/// ```
struct JSONObjectWriter {
    private var text = "{"
    private var isEmpty = true

    init(capacity: Int = 256) {
        text.reserveCapacity(capacity)
    }

    /// Adds a string member.
    mutating func add(_ key: String, _ value: String) {
        appendKey(key)
        JSONObjectWriter.appendQuoted(value, to: &text)
    }

    /// Adds an integer member, written as a bare JSON number (exact, whatever its size).
    mutating func add(_ key: String, _ value: Int) {
        appendKey(key)
        text.append(String(value))
    }

    /// Adds an unsigned integer member (Shopify ids beyond 2^53), as a bare JSON number.
    mutating func add(_ key: String, _ value: UInt64) {
        appendKey(key)
        text.append(String(value))
    }

    /// Adds a member whose value is already JSON (a nested object or array).
    mutating func add(_ key: String, json: String) {
        appendKey(key)
        text.append(json)
    }

    /// Closes the object and returns its text.
    consuming func finish() -> String {
        text.append("}")
        return text
    }

    /// A JSON array of already-rendered JSON values.
    static func array(_ elements: [String]) -> String {
        "[" + elements.joined(separator: ",") + "]"
    }

    /// Appends `value` as a quoted, escaped JSON string.
    static func appendQuoted(_ value: String, to text: inout String) {
        text.append("\"")
        var needsEscaping = false
        for byte in value.utf8 where byte < 0x20 || byte == 0x22 || byte == 0x5C {
            needsEscaping = true
            break
        }
        if !needsEscaping {
            text.append(value)
        } else {
            for scalar in value.unicodeScalars {
                switch scalar {
                case "\"": text.append("\\\"")
                case "\\": text.append("\\\\")
                case "\n": text.append("\\n")
                case "\r": text.append("\\r")
                case "\t": text.append("\\t")
                case "\u{08}": text.append("\\b")
                case "\u{0C}": text.append("\\f")
                default:
                    if scalar.value < 0x20 {
                        let hex = String(scalar.value, radix: 16)
                        text.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
                    } else {
                        text.unicodeScalars.append(scalar)
                    }
                }
            }
        }
        text.append("\"")
    }

    private mutating func appendKey(_ key: String) {
        if !isEmpty { text.append(",") }
        isEmpty = false
        // Keys are the workload's own ASCII names: no escaping needed.
        text.append("\"")
        text.append(key)
        text.append("\":")
    }
}
