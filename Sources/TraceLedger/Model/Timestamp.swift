/// An instant as nanoseconds since the Unix epoch (UTC), the ledger's one representation of time.
///
/// Parsed from and printed as RFC 3339; covers the years 1678 to 2261, which is wider than any commerce data.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let nanosecondsSinceEpoch: Int64

    public init(nanosecondsSinceEpoch: Int64) { self.nanosecondsSinceEpoch = nanosecondsSinceEpoch }

    /// The current time of the system clock.
    public static func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(nanosecondsSinceEpoch: Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec))
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.nanosecondsSinceEpoch < rhs.nanosecondsSinceEpoch
    }

    /// Parses RFC 3339 (`2026-11-02T09:15:03.123Z`, `2026-11-02T10:15:03+01:00`, up to 9 fraction digits).
    /// Also accepts a plain date (`2026-11-02`, meaning its midnight UTC), handy on the command line.
    public init?(rfc3339 text: some StringProtocol) {
        let bytes = Array(text.utf8)
        guard let value = RFC3339.parse(bytes) else { return nil }
        self.nanosecondsSinceEpoch = value
    }

    /// RFC 3339 in UTC with millisecond, microsecond or nanosecond precision, whichever shows the whole value.
    public var rfc3339: String { RFC3339.format(nanosecondsSinceEpoch) }

    public var description: String { rfc3339 }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
