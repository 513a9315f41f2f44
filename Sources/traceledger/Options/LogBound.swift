import ArgumentParser
import TraceLedger

/// A `--from`/`--until` value: a position (digits) or an RFC 3339 time (or a date).
struct LogBound: ExpressibleByArgument {
    let bound: EventQuery.Bound

    init?(argument: String) {
        if let position = UInt64(argument) {
            bound = .position(position)
        } else if let time = Timestamp(rfc3339: argument) {
            bound = .time(time)
        } else {
            return nil
        }
    }

    static var defaultCompletionKind: CompletionKind { .default }
}
