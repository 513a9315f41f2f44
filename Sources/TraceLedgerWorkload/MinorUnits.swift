/// Exact money and rate arithmetic on integers: amounts are counted in minor units (cents), tax
/// rates in hundred-thousandths (19 % = 19_000), and only turned into decimal strings for JSON.
/// No value of the workload ever passes through a `Double`.
enum MinorUnits {
    /// `"592.18"` for 59218 cents; `"-0.05"` for -5.
    static func decimalString(cents: Int) -> String {
        let magnitude = cents.magnitude
        let fraction = magnitude % 100
        return (cents < 0 ? "-" : "") + String(magnitude / 100) + "." + (fraction < 10 ? "0" : "")
            + String(fraction)
    }

    /// The tax on a net amount at `rate` hundred-thousandths, rounded half up to a cent.
    static func tax(onNetCents net: Int, rate: Int) -> Int {
        (net * rate + 50_000) / 100_000
    }

    /// A rate as a decimal fraction without trailing zeros: 19_000 → `"0.19"`, 8_875 → `"0.08875"`,
    /// 0 → `"0"`.
    static func rateString(_ rate: Int) -> String {
        if rate == 0 { return "0" }
        var digits = String(rate % 100_000)
        digits = String(repeating: "0", count: 5 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return String(rate / 100_000) + "." + digits
    }
}
