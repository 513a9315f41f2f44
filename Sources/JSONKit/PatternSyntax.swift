/// The parsed form of the ECMA-262 patterns JSON Schemas use, for ``PatternProgram``.
///
/// Covers literals, `.`, classes with ranges, `\d \w \s` (and their negations outside classes), `\t \n \r \v
/// \f \0 \xHH \uHHHH`, escaped punctuation, `^`, `$`, groups `(…)` and `(?:…)`, alternation and the
/// quantifiers `* + ? {n} {n,} {n,m}` (greedy or lazy). Anything else — backreferences, lookaround, `\b`,
/// `\p{…}`, `\cX`, surrogate escapes, empty classes — is left to ICU: `parse` returns nil for it.
indirect enum PatternNode {
    case empty
    case scalar(UInt32)
    case set(ScalarSet)
    case start
    case end
    case sequence([PatternNode])
    case alternation([PatternNode])
    case repetition(PatternNode, minimum: Int, maximum: Int?, greedy: Bool)

    /// Parses `source`, or returns nil when it uses syntax outside the subset above.
    static func parse(_ source: String) -> PatternNode? {
        var parser = PatternParser(scalars: source.unicodeScalars.map(\.value))
        guard let node = parser.alternation(), parser.index == parser.scalars.count else { return nil }
        return node
    }
}

/// A set of Unicode scalars as sorted, inclusive ranges, possibly negated; with an ASCII bitmap for speed.
struct ScalarSet: Sendable {
    private(set) var ranges: [ClosedRange<UInt32>] = []
    var negated = false
    private var asciiLow: UInt64 = 0
    private var asciiHigh: UInt64 = 0

    static let digits = ScalarSet(ranges: [0x30...0x39])
    static let word = ScalarSet(ranges: [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A])
    /// ECMA-262 WhiteSpace and LineTerminator.
    static let space = ScalarSet(ranges: [
        0x09...0x0D, 0x20...0x20, 0xA0...0xA0, 0x1680...0x1680, 0x2000...0x200A, 0x2028...0x2029,
        0x202F...0x202F,
        0x205F...0x205F, 0x3000...0x3000, 0xFEFF...0xFEFF,
    ])
    /// What `.` matches: everything but the line terminators.
    static let dot = ScalarSet(ranges: [0x0A...0x0A, 0x0D...0x0D, 0x2028...0x2029], negated: true)

    init(ranges: [ClosedRange<UInt32>] = [], negated: Bool = false) {
        self.negated = negated
        for range in ranges { insert(range) }
    }

    mutating func insert(_ range: ClosedRange<UInt32>) {
        ranges.append(range)
        guard range.lowerBound < 0x80 else { return }
        for scalar in range.lowerBound...min(range.upperBound, 0x7F) {
            if scalar < 64 { asciiLow |= 1 << UInt64(scalar) } else { asciiHigh |= 1 << UInt64(scalar - 64) }
        }
    }

    mutating func formUnion(_ other: ScalarSet) { for range in other.ranges { insert(range) } }

    @inline(__always)
    func contains(_ scalar: UInt32) -> Bool {
        let inside: Bool
        if scalar < 64 {
            inside = asciiLow & (1 << UInt64(scalar)) != 0
        } else if scalar < 128 {
            inside = asciiHigh & (1 << UInt64(scalar - 64)) != 0
        } else {
            inside = ranges.contains { $0.contains(scalar) }
        }
        return inside != negated
    }
}

/// A recursive-descent parser over the pattern's scalars; every method returns nil on unsupported syntax.
private struct PatternParser {
    let scalars: [UInt32]
    var index = 0

    private var current: UInt32? { index < scalars.count ? scalars[index] : nil }

    private func isChar(_ character: Character) -> Bool { current == character.unicodeScalars.first!.value }

    mutating func alternation() -> PatternNode? {
        var branches: [PatternNode] = []
        while true {
            guard let branch = sequence() else { return nil }
            branches.append(branch)
            guard isChar("|") else { break }
            index += 1
        }
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    private mutating func sequence() -> PatternNode? {
        var items: [PatternNode] = []
        while let scalar = current, scalar != 0x7C, scalar != 0x29 {  // up to | or )
            guard let atom = atom(), let quantified = quantifier(on: atom) else { return nil }
            items.append(quantified)
        }
        return items.count == 1 ? items[0] : (items.isEmpty ? .empty : .sequence(items))
    }

    private mutating func atom() -> PatternNode? {
        guard let scalar = current else { return nil }
        index += 1
        switch scalar {
        case 0x5E: return .start  // ^
        case 0x24: return .end  // $
        case 0x2E: return .set(.dot)  // .
        case 0x28:  // (
            if isChar("?") {
                // Only (?: is supported: lookaround and named groups go to ICU.
                guard index + 1 < scalars.count, scalars[index + 1] == 0x3A else { return nil }
                index += 2
            }
            guard let inner = alternation(), isChar(")") else { return nil }
            index += 1
            return inner
        case 0x5B: return characterClass()  // [
        case 0x5C: return escape(inClass: false).map { $0.node }  // backslash
        case 0x2A, 0x2B, 0x3F, 0x7B, 0x7D, 0x5D: return nil  // * + ? { } ] out of place: leave to ICU
        default: return .scalar(scalar)
        }
    }

    private mutating func quantifier(on atom: PatternNode) -> PatternNode? {
        guard let scalar = current else { return atom }
        var minimum = 0
        var maximum: Int?
        switch scalar {
        case 0x2A: index += 1  // *
        case 0x2B:
            minimum = 1
            index += 1  // +
        case 0x3F:
            maximum = 1
            index += 1  // ?
        case 0x7B:  // {
            index += 1
            guard let low = number() else { return nil }
            minimum = low
            maximum = low
            if isChar(",") {
                index += 1
                maximum = isChar("}") ? nil : number()
                if maximum == nil && !isChar("}") { return nil }
            }
            guard isChar("}"), maximum.map({ $0 >= minimum }) ?? true, minimum <= 1000, (maximum ?? 0) <= 1000
            else {
                return nil
            }
            index += 1
        default: return atom
        }
        var greedy = true
        if isChar("?") {
            greedy = false
            index += 1
        }
        switch atom {
        case .start, .end, .empty: return nil
        default: break
        }
        if let next = current, [0x2A, 0x2B, 0x3F, 0x7B].contains(next) { return nil }  // a**: ICU's business
        return .repetition(atom, minimum: minimum, maximum: maximum, greedy: greedy)
    }

    private mutating func number() -> Int? {
        var value = 0
        let start = index
        while let scalar = current, (0x30...0x39).contains(scalar), value < 100_000 {
            value = value * 10 + Int(scalar - 0x30)
            index += 1
        }
        return index > start ? value : nil
    }

    private enum Escaped {
        case single(UInt32)
        case set(ScalarSet)

        var node: PatternNode {
            switch self {
            case .single(let scalar): .scalar(scalar)
            case .set(let set): .set(set)
            }
        }
    }

    /// After a backslash.
    private mutating func escape(inClass: Bool) -> Escaped? {
        guard let scalar = current else { return nil }
        index += 1
        switch Character(Unicode.Scalar(scalar)!) {
        case "d": return .set(.digits)
        case "w": return .set(.word)
        case "s": return .set(.space)
        case "D" where !inClass: return .set(ScalarSet(ranges: ScalarSet.digits.ranges, negated: true))
        case "W" where !inClass: return .set(ScalarSet(ranges: ScalarSet.word.ranges, negated: true))
        case "S" where !inClass: return .set(ScalarSet(ranges: ScalarSet.space.ranges, negated: true))
        case "t": return .single(0x09)
        case "n": return .single(0x0A)
        case "v": return .single(0x0B)
        case "f": return .single(0x0C)
        case "r": return .single(0x0D)
        case "0":
            if let next = current, (0x30...0x39).contains(next) { return nil }
            return .single(0)
        case "x": return hex(digits: 2)
        case "u":
            guard let escaped = hex(digits: 4), case .single(let value) = escaped,
                !(0xD800...0xDFFF).contains(value)
            else { return nil }
            return escaped
        case "b" where inClass: return .single(0x08)
        default:
            // Escaped syntax characters stand for themselves; escaped letters and digits mean something else
            // (a backreference, \b, \p, \c…) that ICU handles.
            let isSyntax = "^$\\.*+?()[]{}|/-".unicodeScalars.contains { $0.value == scalar }
            return isSyntax ? .single(scalar) : nil
        }
    }

    private mutating func hex(digits: Int) -> Escaped? {
        guard index + digits <= scalars.count else { return nil }
        var value: UInt32 = 0
        for _ in 0..<digits {
            let scalar = scalars[index]
            let digit: UInt32
            switch scalar {
            case 0x30...0x39: digit = scalar - 0x30
            case 0x41...0x46: digit = scalar - 0x37
            case 0x61...0x66: digit = scalar - 0x57
            default: return nil
            }
            value = value << 4 | digit
            index += 1
        }
        return .single(value)
    }

    /// After `[`.
    private mutating func characterClass() -> PatternNode? {
        var set = ScalarSet()
        if isChar("^") {
            set.negated = true
            index += 1
        }
        if isChar("]") { return nil }  // [] and [^]: ECMA and ICU disagree; leave to ICU
        while !isChar("]") {
            guard let low = classAtom() else { return nil }
            if isChar("-"), index + 1 < scalars.count, scalars[index + 1] != 0x5D {
                index += 1
                guard case .single(let lower) = low, case .single(let upper)? = classAtom(), lower <= upper
                else {
                    return nil
                }
                set.insert(lower...upper)
                continue
            }
            switch low {
            case .single(let scalar): set.insert(scalar...scalar)
            case .set(let other): set.formUnion(other)
            }
        }
        index += 1
        return .set(set)
    }

    private mutating func classAtom() -> Escaped? {
        guard let scalar = current else { return nil }
        index += 1
        if scalar == 0x5C { return escape(inClass: true) }
        if scalar == 0x5B { return nil }  // ICU reads [ inside a class as a nested set
        return .single(scalar)
    }
}
