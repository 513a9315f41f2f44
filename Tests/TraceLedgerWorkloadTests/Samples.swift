import Foundation
import TraceLedgerWorkload

/// Shared, lazily generated samples so each test file does not regenerate them.
enum Samples {
    static let seed: UInt64 = 7
    /// The first 20,000 events of seed 7 with the realistic defaults.
    static let events: [GeneratedEvent] = Array(WorkloadGenerator(seed: seed).prefix(20_000))
    /// The first 3,000 flows of seed 7.
    static let flows: [GeneratedFlow] = Array(WorkloadGenerator(seed: seed).flows().prefix(3_000))

    /// Parses a JSON object (test-only: the library never uses JSONSerialization).
    static func object(_ json: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] ?? [:]
    }

    /// Minor units of a decimal string with at most two fraction digits: "592.18" → 59218.
    static func cents(_ decimal: String) -> Int? {
        let negative = decimal.hasPrefix("-")
        let digits = negative ? String(decimal.dropFirst()) : decimal
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = Int(parts[0]) else { return nil }
        var fraction = 0
        if parts.count == 2 {
            guard parts[1].count == 2, let value = Int(parts[1]) else { return nil }
            fraction = value
        }
        return (whole * 100 + fraction) * (negative ? -1 : 1)
    }
}
