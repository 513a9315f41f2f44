/// A JSON number kept exactly as it appeared in the input.
///
/// The literal is never routed through `Double`, so `820982911946154508` and `592.18` survive a
/// parse/serialise round trip byte for byte. Comparison and equality work on the decimal digits
/// (sign, significant digits, exponent), so numbers of any size compare exactly and `1 == 1.0 == 1e0`.
///
/// Sendable: an immutable value wrapping a `String`.
public struct JSONNumber: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The number exactly as written in the JSON text, e.g. `"592.18"` or `"1e400"`.
    public let literal: String

    /// Wraps a literal the parser has already checked against the RFC 8259 number grammar.
    init(uncheckedLiteral literal: String) {
        self.literal = literal
    }

    /// Creates a number from a literal, or returns `nil` when it is not a valid RFC 8259 number.
    ///
    /// ```swift
    /// JSONNumber(literal: "592.18")  // ok
    /// JSONNumber(literal: "01")      // nil: leading zero
    /// ```
    public init?(literal: String) {
        var text = literal
        let valid = text.withUTF8 { bytes in JSONNumberGrammar.isNumber(bytes) }
        guard valid else { return nil }
        self.literal = literal
    }

    /// Creates a number holding an exact integer.
    public init(_ value: Int64) {
        self.literal = String(value)
    }

    /// Creates a number holding an exact integer.
    public init(_ value: Int) {
        self.literal = String(value)
    }

    public var description: String { literal }

    /// Whether the value is mathematically an integer (JSON Schema semantics: `1.0` and `1e2` are).
    public var isInteger: Bool {
        let hasFractionOrExponent = literal.utf8.contains {
            $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E")
        }
        if !hasFractionOrExponent { return true }
        let decimal = DecimalForm(literal)
        return decimal.digits.isEmpty || decimal.exponent >= 0
    }

    /// The exact value as an `Int64`, or `nil` when it is fractional or out of range.
    public var int64Value: Int64? {
        if let fast = Int64(literal) { return fast }
        let decimal = DecimalForm(literal)
        if decimal.digits.isEmpty { return 0 }
        guard decimal.exponent >= 0, decimal.digits.count + decimal.exponent <= 19 else { return nil }
        var magnitude: UInt64 = 0
        for digit in decimal.digits {
            magnitude = magnitude &* 10 &+ UInt64(digit)
        }
        for _ in 0..<decimal.exponent {
            let (product, overflow) = magnitude.multipliedReportingOverflow(by: 10)
            if overflow { return nil }
            magnitude = product
        }
        if decimal.isNegative {
            if magnitude == UInt64(Int64.max) + 1 { return Int64.min }
            return magnitude <= UInt64(Int64.max) ? -Int64(magnitude) : nil
        }
        return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
    }

    /// The nearest `Double`; lossy for long literals, so use it only for display or statistics.
    public var doubleValue: Double {
        Double(literal) ?? .nan
    }

    /// Numeric equality on the exact decimal value: `1`, `1.0` and `10e-1` are equal.
    public static func == (lhs: JSONNumber, rhs: JSONNumber) -> Bool {
        if lhs.literal == rhs.literal { return true }
        if let left = Int64(lhs.literal), let right = Int64(rhs.literal) { return left == right }
        return DecimalForm(lhs.literal) == DecimalForm(rhs.literal)
    }

    /// Exact numeric ordering, independent of the literals' length or notation.
    public static func < (lhs: JSONNumber, rhs: JSONNumber) -> Bool {
        if let left = Int64(lhs.literal), let right = Int64(rhs.literal) { return left < right }
        return DecimalForm(lhs.literal) < DecimalForm(rhs.literal)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(DecimalForm(literal))
    }
}

/// A number normalised to `±digits × 10^exponent`, with no leading or trailing zero digits.
///
/// Zero has no digits and is never negative, so `-0 == 0`. Built on demand from a literal that
/// already matches the JSON number grammar.
struct DecimalForm: Hashable, Comparable {
    var isNegative: Bool
    /// Significant decimal digits (0...9), most significant first; empty for zero.
    var digits: [UInt8]
    /// Power of ten applied to `digits` read as an integer. Saturates for absurd exponents
    /// (beyond ±10^15), which only matters when comparing two such numbers against each other.
    var exponent: Int

    init(_ literal: String) {
        var negative = false
        var digits: [UInt8] = []
        var exponent = 0
        var sawPoint = false
        var index = literal.utf8.startIndex
        let utf8 = literal.utf8
        if index < utf8.endIndex, utf8[index] == UInt8(ascii: "-") {
            negative = true
            index = utf8.index(after: index)
        }
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: ".") {
                sawPoint = true
            } else if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                if !(digits.isEmpty && byte == UInt8(ascii: "0")) {
                    digits.append(byte - UInt8(ascii: "0"))
                }
                if sawPoint { exponent -= 1 }
            } else {
                break  // 'e' or 'E'
            }
            index = utf8.index(after: index)
        }
        if index < utf8.endIndex {
            index = utf8.index(after: index)
            var exponentNegative = false
            if index < utf8.endIndex, utf8[index] == UInt8(ascii: "-") || utf8[index] == UInt8(ascii: "+") {
                exponentNegative = utf8[index] == UInt8(ascii: "-")
                index = utf8.index(after: index)
            }
            let limit = 1_000_000_000_000_000
            var written = 0
            while index < utf8.endIndex {
                written = min(written * 10 + Int(utf8[index] - UInt8(ascii: "0")), limit)
                index = utf8.index(after: index)
            }
            exponent += exponentNegative ? -written : written
        }
        while let last = digits.last, last == 0 {
            digits.removeLast()
            exponent += 1
        }
        if digits.isEmpty {
            negative = false
            exponent = 0
        }
        self.isNegative = negative
        self.digits = digits
        self.exponent = exponent
    }

    /// Position of the most significant digit: the value lies in [10^(magnitude-1), 10^magnitude).
    private var magnitude: Int { digits.count + exponent }

    static func < (lhs: DecimalForm, rhs: DecimalForm) -> Bool {
        if lhs.isNegative != rhs.isNegative { return lhs.isNegative }
        if lhs.isNegative { return compareMagnitudes(rhs, lhs) }
        return compareMagnitudes(lhs, rhs)
    }

    /// Whether |lhs| < |rhs|.
    private static func compareMagnitudes(_ lhs: DecimalForm, _ rhs: DecimalForm) -> Bool {
        if lhs.digits.isEmpty { return !rhs.digits.isEmpty }
        if rhs.digits.isEmpty { return false }
        if lhs.magnitude != rhs.magnitude { return lhs.magnitude < rhs.magnitude }
        return lhs.digits.lexicographicallyPrecedes(rhs.digits)
    }
}
