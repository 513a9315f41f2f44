public import ArgumentParser
public import TraceLedger

/// Durations parse from `30m`, `2h`, `1d`, `45s` or sums such as `1h30m`.
extension TimeSpan: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}
