import ArgumentParser
import Foundation
import Logging
import TraceLedger

/// `ledger-bench reads --store PATH`: the read-side measures of the full run (full scan, chain verify, the
/// whole `traceledger verify`, projection rebuild) on an existing store, each `--repeat` times, without
/// building the three stores first. For profiling one path: `perf record -g ledger-bench reads --only scan`.
struct ReadPhases: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reads",
        abstract: "Scan, verify and rebuild rates on an existing store (for profiling one read path).")

    enum Phase: String, CaseIterable, ExpressibleByArgument {
        case scan, verify
        case verifyAll = "verify-all"
        case rebuild
    }

    @Option(help: "The store to read; `rebuild` writes its projections, and opening it upgrades its indexes.")
    var store: String
    @Option(help: "Run only this phase: scan, verify, verify-all or rebuild.") var only: Phase?
    @Option(help: "How many times to run each phase.") var `repeat` = 1

    func run() async throws {
        var logger = Logger(label: "ledger-bench")
        logger.logLevel = .warning
        let ledger = try Ledger.open(at: store, logger: logger)
        let events = Double(try ledger.head().position)
        for phase in only.map({ [$0] }) ?? Phase.allCases {
            for _ in 0..<self.repeat {
                let rate: Double
                switch phase {
                case .scan:
                    let started = monotonicNanoseconds()
                    var count = 0
                    try ledger.forEachEvent(matching: EventQuery()) { _ in
                        count += 1
                        return true
                    }
                    rate = Double(count) / (Double(monotonicNanoseconds() - started) / 1e9)
                case .verify: rate = try LedgerPhases.verify(ledger)
                case .verifyAll: rate = try LedgerPhases.verifyWithIndexes(ledger)
                case .rebuild: rate = try await LedgerPhases.rebuildProjections(ledger)
                }
                print("\(phase.rawValue): \(Int(rate)) events/s (\(String(format: "%.2f", events / rate)) s)")
            }
        }
    }
}
