import ArgumentParser

/// `ledger-bench`: TraceLedger against the raw LMDB limit and a SQLite peer, on the same events, in one run.
///
///     swift run -c release ledger-bench                 # 1,000,000 events
///     swift run -c release ledger-bench --quick         # 10,000 events, seconds (the test suite runs it)
///     swift run -c release ledger-bench --scale         # append and lookups at 1M and 4M events
@main
struct LedgerBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger-bench",
        abstract: "Measure TraceLedger against raw LMDB (the limit) and SQLite (a peer) on the same events.",
        discussion: "See docs/performance.md for the latest results and what limits each figure.",
        subcommands: [BenchRun.self, ImportChild.self, ReadPhases.self], defaultSubcommand: BenchRun.self)
}
