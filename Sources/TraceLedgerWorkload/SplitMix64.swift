/// The workload's only source of randomness: SplitMix64 (Steele, Lea, Flood 2014).
///
/// Every draw is integer arithmetic with wrapping operators, so a seed gives the same stream on
/// every machine and Swift version — unlike `Int.random(in:using:)`, whose algorithm the standard
/// library does not promise to keep. Never use `SystemRandomNumberGenerator` in the workload.
///
/// A value type; copying it forks the stream. Sendable: plain state.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates a generator whose whole output is fixed by `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    /// The SplitMix64 finaliser: a stateless, well-mixed hash of one 64-bit value.
    ///
    /// Used on its own to derive attributes from a number (a customer's name from its index)
    /// without storing them, which keeps memory flat however many events are generated.
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in `0..<bound` (Lemire's multiply-shift; the tiny bias is irrelevant here
    /// and keeping it avoids a data-dependent rejection loop).
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        return Int(next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// A uniform integer in `range`.
    public mutating func nextInt(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + nextInt(below: range.upperBound - range.lowerBound + 1)
    }

    /// A uniform 64-bit integer in `range`.
    public mutating func nextInt64(in range: ClosedRange<Int64>) -> Int64 {
        let width = UInt64(range.upperBound - range.lowerBound) &+ 1
        if width == 0 { return Int64(bitPattern: next()) }
        return range.lowerBound + Int64(next().multipliedFullWidth(by: width).high)
    }

    /// `true` with probability `probability` (clamped to 0...1).
    ///
    /// The probability is turned into a 32-bit threshold by multiplying with 2^32, which is exact
    /// in binary floating point, so the decision is the same on every machine.
    public mutating func chance(_ probability: Double) -> Bool {
        if probability <= 0 { return false }
        if probability >= 1 { return true }
        let threshold = UInt64(probability * 4_294_967_296.0)
        return (next() >> 32) < threshold
    }

    /// One element of a non-empty array, uniformly.
    public mutating func pick<Element>(_ elements: [Element]) -> Element {
        elements[nextInt(below: elements.count)]
    }

    /// An index in `0..<count` skewed towards small values (roughly a power law), for popular
    /// products: index = count · u², u uniform in [0, 1).
    public mutating func skewedIndex(below count: Int) -> Int {
        let u = next() >> 32
        let squared = (u &* u) >> 32
        return Int((squared &* UInt64(count)) >> 32)
    }
}
