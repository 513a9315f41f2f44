import JSONKit

/// Stripe amounts are integers in the currency's smallest unit: 1099 USD cents is "10.99", 1099 JPY is
/// "1099", 1099 KWD fils is "1.099". Converted on the digits, never through a Double.
enum StripeAmount {
    /// Currencies without minor units (Stripe's list of zero-decimal currencies).
    static let zeroDecimal: Set<String> = [
        "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF",
        "XOF",
        "XPF",
    ]
    /// Currencies with three decimals.
    static let threeDecimal: Set<String> = ["BHD", "JOD", "KWD", "OMR", "TND"]

    /// The number of decimals of `currency` (upper case ISO 4217).
    static func exponent(of currency: String) -> Int {
        zeroDecimal.contains(currency) ? 0 : threeDecimal.contains(currency) ? 3 : 2
    }

    /// The decimal string of `minorUnits` (a JSON integer's exact digits) in `currency`; nil for a negative or
    /// non-integer amount.
    static func decimal(_ minorUnits: JSONNumber, currency: String) -> String? {
        guard minorUnits.isInteger, !minorUnits.literal.hasPrefix("-") else { return nil }
        return decimal(digits: minorUnits.literal, currency: currency)
    }

    /// The decimal string of a non-negative count of minor units given as decimal digits.
    static func decimal(digits: String, currency: String) -> String? {
        guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit) else { return nil }
        var trimmed = String(digits.drop { $0 == "0" })
        let places = exponent(of: currency)
        guard places > 0 else { return trimmed.isEmpty ? "0" : trimmed }
        if trimmed.count <= places {
            trimmed = String(repeating: "0", count: places - trimmed.count + 1) + trimmed
        }
        return String(trimmed.dropLast(places)) + "." + String(trimmed.suffix(places))
    }

    /// `minuend - subtrahend` in minor units, on digits; nil when negative.
    static func difference(_ minuend: JSONNumber, _ subtrahend: JSONNumber) -> String? {
        guard let left = UInt64(minuend.literal), let right = UInt64(subtrahend.literal), left >= right else {
            return nil
        }
        return String(left - right)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
