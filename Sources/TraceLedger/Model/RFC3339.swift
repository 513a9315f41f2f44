/// RFC 3339 parsing and printing on raw bytes, without Foundation's date formatters (which are slow, locale
/// dependent and drop sub-microsecond digits).
enum RFC3339 {
    /// Why `text` is refused, when it has the shape of a date-time but cannot be held: a leap second (a
    /// nanosecond clock since 1970 has no 23:59:60, and storing it as :59 would reorder events), or a time
    /// outside what 64-bit nanoseconds reach. Nil when it is simply not RFC 3339.
    static func whyRefused(_ text: String) -> String? {
        let b = Array(text.utf8)
        if b.count >= 20, b[16] == UInt8(ascii: ":"), b[17] == UInt8(ascii: "6"), b[18] == UInt8(ascii: "0") {
            return
                "\"\(text)\" is a leap second (:60), which the ledger's clock cannot hold; send it as the next second"
        }
        if b.count >= 10, let year = Int(String(decoding: b[0..<4], as: UTF8.self)),
            year < 1678 || year > 2261
        {
            return
                "\"\(text)\" is outside 1677-09-21T00:12:44Z…2262-04-11T23:47:16Z, the range of the ledger's nanosecond clock"
        }
        return nil
    }

    static func parse(_ b: [UInt8]) -> Int64? {
        func digits(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= b.count else { return nil }
            var value = 0
            for i in start..<start + count {
                let d = Int(b[i]) - 48
                guard d >= 0 && d <= 9 else { return nil }
                value = value * 10 + d
            }
            return value
        }
        guard let year = digits(0, 4), b.count >= 10, b[4] == UInt8(ascii: "-"), let month = digits(5, 2),
            b[7] == UInt8(ascii: "-"), let day = digits(8, 2), (1...12).contains(month),
            day >= 1, day <= daysIn(month: month, year: year)
        else { return nil }
        var seconds = Int64(daysFromCivil(year: year, month: month, day: day)) * 86_400
        if b.count == 10 { return seconds * 1_000_000_000 }
        guard b.count >= 20,
            b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t") || b[10] == UInt8(ascii: " "),
            let hour = digits(11, 2), b[13] == UInt8(ascii: ":"), let minute = digits(14, 2),
            b[16] == UInt8(ascii: ":"), let second = digits(17, 2), hour < 24, minute < 60, second < 60
        else { return nil }
        seconds += Int64(hour * 3600 + minute * 60 + second)
        var index = 19
        var nanos: Int64 = 0
        if b[index] == UInt8(ascii: ".") {
            index += 1
            var count = 0
            while index < b.count, b[index] >= 48, b[index] <= 57 {
                guard count < 9 else { return nil }
                nanos = nanos * 10 + Int64(b[index] - 48)
                count += 1
                index += 1
            }
            guard count > 0 else { return nil }
            for _ in count..<9 { nanos *= 10 }
        }
        guard index < b.count else { return nil }
        switch b[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard index + 1 == b.count else { return nil }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard index + 6 == b.count, let oh = digits(index + 1, 2), b[index + 3] == UInt8(ascii: ":"),
                let om = digits(index + 4, 2), oh < 24, om < 60
            else { return nil }
            let offset = Int64(oh * 3600 + om * 60)
            seconds += b[index] == UInt8(ascii: "+") ? -offset : offset
        default:
            return nil
        }
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return nil }
        let (total, overflow2) = scaled.addingReportingOverflow(nanos)
        return overflow2 ? nil : total
    }

    static func format(_ nanoseconds: Int64) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(30)
        append(nanoseconds, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the RFC 3339 text of `nanoseconds` to `out` without intermediate allocations (envelopes and
    /// replays print two timestamps per event).
    static func append(_ nanoseconds: Int64, to out: inout [UInt8]) {
        var seconds = nanoseconds / 1_000_000_000
        var nanos = nanoseconds % 1_000_000_000
        if nanos < 0 {
            nanos += 1_000_000_000
            seconds -= 1
        }
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let (year, month, day) = civilFromDays(Int(days))
        // Written into 30 bytes on the stack and appended once: digit by digit into `out`, each byte's append
        // checked the array's uniqueness and capacity (a sixth of the appender's Merkle leaf, in `perf`).
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 30) { text in
            var count = 0
            func put(_ value: Int, width: Int) {
                var remaining = value
                for index in stride(from: count + width - 1, through: count, by: -1) {
                    text[index] = UInt8(48 + remaining % 10)
                    remaining /= 10
                }
                count += width
            }
            func mark(_ character: Unicode.Scalar) {
                text[count] = UInt8(ascii: character)
                count += 1
            }
            put(year, width: 4)
            mark("-")
            put(month, width: 2)
            mark("-")
            put(day, width: 2)
            mark("T")
            put(Int(secondOfDay / 3600), width: 2)
            mark(":")
            put(Int(secondOfDay / 60 % 60), width: 2)
            mark(":")
            put(Int(secondOfDay % 60), width: 2)
            mark(".")
            if nanos % 1_000_000 == 0 {
                put(Int(nanos / 1_000_000), width: 3)
            } else if nanos % 1000 == 0 {
                put(Int(nanos / 1000), width: 6)
            } else {
                put(Int(nanos), width: 9)
            }
            mark("Z")
            out.append(contentsOf: UnsafeBufferPointer(rebasing: text[..<count]))
        }
    }

    private static func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
