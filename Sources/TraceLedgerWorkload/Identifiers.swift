/// Random identifiers drawn from the workload's generator, so they repeat exactly for a seed.
enum Identifiers {
    private static let hexDigits = Array("0123456789abcdef")
    private static let base62 = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

    /// A version-4-shaped UUID in lower case, `8-4-4-4-12` hex digits.
    static func uuid(_ random: inout SplitMix64) -> String {
        let high = random.next()
        let low = random.next()
        // Set the version (4) and variant (10xx) bits so downstream parsers accept it as a v4 UUID.
        let versioned = (high & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000
        let varianted = (low & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        var text = ""
        text.reserveCapacity(36)
        appendHex(versioned, digits: 16, to: &text, dashesAfter: [8, 12])
        text.append("-")
        appendHex(varianted, digits: 16, to: &text, dashesAfter: [4])
        return text
    }

    /// A W3C trace id: 32 lower-case hex digits, never all zero.
    static func traceId(_ random: inout SplitMix64) -> String {
        var text = ""
        text.reserveCapacity(32)
        appendHex(random.next() | 1, digits: 16, to: &text, dashesAfter: [])
        appendHex(random.next(), digits: 16, to: &text, dashesAfter: [])
        return text
    }

    /// `count` random characters of `[0-9A-Za-z]`, the alphabet of Stripe's ids (`pi_3Qb…`).
    static func base62(_ random: inout SplitMix64, count: Int) -> String {
        var text = ""
        text.reserveCapacity(count)
        for _ in 0..<count { text.append(base62[random.nextInt(below: 62)]) }
        return text
    }

    /// `prefix` followed by `number` zero-padded to `width` digits: `SKU-00042`.
    static func padded(_ prefix: String, _ number: Int, width: Int) -> String {
        let digits = String(number)
        return prefix + String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    private static func appendHex(_ value: UInt64, digits: Int, to text: inout String, dashesAfter: [Int]) {
        for index in 0..<digits {
            if dashesAfter.contains(index) { text.append("-") }
            let shift = UInt64(4 * (digits - 1 - index))
            text.append(hexDigits[Int((value >> shift) & 0xF)])
        }
    }
}
