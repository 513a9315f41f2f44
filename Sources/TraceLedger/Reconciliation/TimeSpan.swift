/// A span of time as reconciliation's options take it: `45s`, `30m`, `2h`, `1d`, or a sum such as `1h30m`.
///
/// Sendable: a plain value.
public struct TimeSpan: Sendable, Equatable, Comparable, CustomStringConvertible {
    public let nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    public static func seconds(_ seconds: Int64) -> TimeSpan {
        TimeSpan(nanoseconds: seconds * 1_000_000_000)
    }
    public static func minutes(_ minutes: Int64) -> TimeSpan { .seconds(minutes * 60) }
    public static func hours(_ hours: Int64) -> TimeSpan { .seconds(hours * 3600) }
    public static func days(_ days: Int64) -> TimeSpan { .seconds(days * 86_400) }

    /// The longest span accepted: 100 years.
    public static let maximumSeconds: Int64 = 100 * 366 * 86_400

    private static let units: [(suffix: Character, seconds: Int64)] = [
        ("d", 86_400), ("h", 3600), ("m", 60), ("s", 1),
    ]

    /// Parses `30m`, `2h`, `1d`, `45s` and sums of them (`1h30m`); nil for anything else.
    public init?(_ text: String) {
        var total: Int64 = 0
        var number: Int64?
        for character in text {
            if let digit = character.wholeNumberValue, character.isASCII {
                let (scaled, overflow) = (number ?? 0).multipliedReportingOverflow(by: 10)
                guard !overflow, scaled <= 1_000_000_000 else { return nil }
                number = scaled + Int64(digit)
            } else if let unit = TimeSpan.units.first(where: { $0.suffix == character }), let value = number {
                total += value * unit.seconds
                // A century is longer than any grace period or SLA, and keeps nanoseconds within Int64.
                guard total <= TimeSpan.maximumSeconds else { return nil }
                number = nil
            } else {
                return nil
            }
        }
        guard number == nil, !text.isEmpty else { return nil }
        self = .seconds(total)
    }

    /// The span in its two largest units: `2h 05m`, `3d 4h`, `45s`.
    public var description: String {
        var seconds = nanoseconds / 1_000_000_000
        var parts: [String] = []
        for (suffix, size) in TimeSpan.units where seconds >= size || (parts.isEmpty && size == 1) {
            let count = seconds / size
            seconds %= size
            parts.append(parts.isEmpty ? "\(count)\(suffix)" : "\(count < 10 ? "0" : "")\(count)\(suffix)")
            if parts.count == 2 { break }
        }
        return parts.joined(separator: " ")
    }

    public static func < (lhs: TimeSpan, rhs: TimeSpan) -> Bool { lhs.nanoseconds < rhs.nanoseconds }
}

extension Timestamp {
    /// The time `span` before this one.
    public func minus(_ span: TimeSpan) -> Timestamp {
        Timestamp(nanosecondsSinceEpoch: nanosecondsSinceEpoch - span.nanoseconds)
    }

    /// How long after `earlier` this time is.
    public func since(_ earlier: Timestamp) -> TimeSpan {
        TimeSpan(nanoseconds: nanosecondsSinceEpoch - earlier.nanosecondsSinceEpoch)
    }
}
