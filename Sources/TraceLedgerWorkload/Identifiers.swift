/// Random identifiers drawn from the workload's generator, so they repeat exactly for a seed.
enum Identifiers {
    private static let hexDigits = Array("0123456789abcdef".utf8)
    private static let base62 = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

    /// A version-4-shaped UUID in lower case, `8-4-4-4-12` hex digits.
    static func uuid(_ random: inout SplitMix64) -> String {
        // Set the version (4) and variant (10xx) bits so downstream parsers accept it as a v4 UUID.
        let high = (random.next() & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000
        let low = (random.next() & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        return String(unsafeUninitializedCapacity: 36) { buffer in
            var position = 0
            for index in 0..<32 {
                if index == 8 || index == 12 || index == 16 || index == 20 {
                    buffer[position] = UInt8(ascii: "-")
                    position += 1
                }
                buffer[position] = hexDigits[nibble(index, high, low)]
                position += 1
            }
            return position
        }
    }

    /// A W3C trace id: 32 lower-case hex digits, never all zero.
    static func traceId(_ random: inout SplitMix64) -> String {
        let high = random.next() | 1
        let low = random.next()
        return String(unsafeUninitializedCapacity: 32) { buffer in
            for index in 0..<32 { buffer[index] = hexDigits[nibble(index, high, low)] }
            return 32
        }
    }

    /// Nibble `index` (0...31, most significant first) of the 128-bit value `high`:`low`.
    private static func nibble(_ index: Int, _ high: UInt64, _ low: UInt64) -> Int {
        let word = index < 16 ? high : low
        return Int((word >> UInt64(4 * (15 - index % 16))) & 0xF)
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
}
