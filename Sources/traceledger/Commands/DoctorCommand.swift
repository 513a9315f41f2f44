import ArgumentParser
import Foundation
import TraceLedger

struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check a store and its machine, and say what to do about what is wrong.",
        discussion: """
            Checks: the store opens (format, not truncated), who may read it, free disk and map room, reader \
            slots of dead processes, the hash chain and the indexes. Exit 0 when all is well, 5 when \
            something needs a person, 3 when the store is damaged.
            """)

    @OptionGroup var store: StoreOptions

    func run() async throws {
        let ledger = try store.openLedger()
        var problems: [String] = []
        func report(_ ok: Bool, _ check: String, _ advice: String) {
            print("\(ok ? "ok  " : "FIX ") \(check)\(ok ? "" : ": " + advice)")
            if !ok { problems.append(check) }
        }
        let mode =
            (try FileManager.default.attributesOfItem(atPath: ledger.path)[.posixPermissions] as? Int) ?? 0
        report(
            mode & 0o077 == 0, "only its owner can read the store (mode \(String(mode, radix: 8)))",
            "run `chmod 700 \(ledger.path)` and `chmod 600 \(ledger.path)/*.mdb`")
        let readiness = ledger.readiness()
        report(
            readiness.isReady,
            "the disk and the map have room (\(Format.bytes(Int(readiness.freeDiskBytes ?? 0))) free)",
            readiness.problems.joined(separator: "; "))
        let stats = try ledger.statistics()
        report(
            stats.staleReadersFreed == 0, "no reader slots of dead processes",
            "\(stats.staleReadersFreed) were freed now; if it recurs, look for processes killed while reading"
        )
        let chain = try ledger.verify()
        guard case .intact(let head) = chain else {
            if case .broken(let position, let reason) = chain {
                print("FIX  the hash chain: broken at position \(position): \(reason); restore from a backup")
            }
            throw ExitCode(ExitStatus.verificationFailed)
        }
        print("ok   the hash chain: \(Format.count(head.position)) events intact")
        let damage = try ledger.verifyIndexes()
        report(
            damage.isEmpty, "the indexes agree with the records",
            damage.map { "\($0.index): \($0.reason)" }.joined(separator: "; ")
                + "; run `traceledger repair-indexes`")
        if !damage.isEmpty { throw ExitCode(ExitStatus.verificationFailed) }
        if !problems.isEmpty { throw ExitCode(ExitStatus.needsAttention) }
    }
}
