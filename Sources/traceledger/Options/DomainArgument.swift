public import ArgumentParser
public import TraceLedger

/// Domains parse from their names on the command line (`order`, `payment`, …).
extension Domain: ExpressibleByArgument {}
