/// An exact decimal amount of money: the decimal strings of the events (`"592.18"`), added and compared
/// without ever passing through a `Double`.
///
/// The value is an integer count of 10⁻¹⁰ units (the schemas allow up to 10 fraction digits) in an `Int128`,
/// which holds 1.7 × 10²⁸ whole units: no sum of a ledger's amounts comes near. `scale` is how many fraction
/// digits to show: the most any operand was written with, so `"59.20" + "0.30"` prints `59.50` and `"100"`
/// prints `100`. Equality and ordering compare values only (`"20.0" == "20.00"`).
///
/// ```swift
/// let total = Money("592.18")! + Money("7.82")!
/// total.description  // "600.00"
/// ```
///
/// Sendable: a plain value.
public struct Money: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Fraction digits the value is counted in.
    public static let maximumScale = 10
    private static let unit: Int128 = 10_000_000_000

    /// The amount in 10⁻¹⁰ units.
    public let units: Int128
    /// Fraction digits to print (0...10).
    public let scale: Int

    /// Zero, printed with `scale` fraction digits.
    public static let zero = Money(units: 0, scale: 0)

    /// An amount of 10⁻¹⁰ units, printed with `scale` fraction digits.
    public init(units: Int128, scale: Int) {
        self.units = units
        self.scale = min(max(scale, 0), Money.maximumScale)
    }

    /// Parses a decimal string as the schemas write it: an optional `-`, digits, and up to 10 fraction digits.
    /// Returns nil for anything else (exponents, `+`, spaces, more than 10 fraction digits, more than 27
    /// integer digits).
    public init?(_ text: some StringProtocol) {
        var units: Int128 = 0
        var negative = false
        var integerDigits = 0
        var fractionDigits = 0
        var sawPoint = false
        for (index, byte) in text.utf8.enumerated() {
            switch byte {
            case UInt8(ascii: "-") where index == 0:
                negative = true
            case UInt8(ascii: "."):
                guard !sawPoint, integerDigits > 0 else { return nil }
                sawPoint = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if sawPoint {
                    fractionDigits += 1
                    guard fractionDigits <= Money.maximumScale else { return nil }
                } else {
                    integerDigits += 1
                    guard integerDigits <= 27 else { return nil }
                }
                units = units * 10 + Int128(byte - UInt8(ascii: "0"))
            default:
                return nil
            }
        }
        guard integerDigits > 0, !sawPoint || fractionDigits > 0 else { return nil }
        for _ in fractionDigits..<Money.maximumScale { units *= 10 }
        self.init(units: negative ? -units : units, scale: fractionDigits)
    }

    /// The amount as a decimal string with `scale` fraction digits (no thousands separators), e.g. `-12.50`.
    public var description: String {
        let magnitude = units.magnitude
        let whole = magnitude / UInt128(Money.unit)
        var fraction = magnitude % UInt128(Money.unit)
        var text = units < 0 && magnitude != 0 ? "-" : ""
        text += String(whole)
        guard scale > 0 else { return text }
        for _ in scale..<Money.maximumScale { fraction /= 10 }
        let digits = String(fraction)
        text += "." + String(repeating: "0", count: scale - digits.count) + digits
        return text
    }

    /// The same value printed with at least `other`'s fraction digits (`0` next to `7.99` prints `0.00`).
    public func scaled(like other: Money) -> Money { Money(units: units, scale: max(scale, other.scale)) }

    public var isZero: Bool { units == 0 }
    public var isNegative: Bool { units < 0 }

    public static func + (lhs: Money, rhs: Money) -> Money {
        Money(units: lhs.units + rhs.units, scale: max(lhs.scale, rhs.scale))
    }

    public static func - (lhs: Money, rhs: Money) -> Money {
        Money(units: lhs.units - rhs.units, scale: max(lhs.scale, rhs.scale))
    }

    public static func += (lhs: inout Money, rhs: Money) { lhs = lhs + rhs }
    public static func -= (lhs: inout Money, rhs: Money) { lhs = lhs - rhs }

    public static prefix func - (value: Money) -> Money { Money(units: -value.units, scale: value.scale) }

    /// Equal values, whatever their scales.
    public static func == (lhs: Money, rhs: Money) -> Bool { lhs.units == rhs.units }

    public func hash(into hasher: inout Hasher) { hasher.combine(units) }

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.units < rhs.units }
}
