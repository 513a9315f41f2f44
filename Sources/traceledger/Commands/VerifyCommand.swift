import ArgumentParser
import Foundation
import JSONKit
import TraceLedger

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract:
            "Walk the hash chain and prove the log unaltered, then check every index against the records.",
        discussion:
            "Exit 0 with the head when intact; exit 3 with the first bad position, or the damaged indexes, when not."
    )

    @OptionGroup var store: StoreOptions

    @Flag(name: .long, help: "Print the result as JSON.")
    var json = false

    func run() async throws {
        let ledger = try store.openLedger()
        let head = try ledger.head()
        let bar = ProgressBar(total: Int(head.position), unit: "events")
        let started = Date()
        let result = try ledger.verify { done, _ in
            bar.update(done: Int(done), items: Int(done), itemName: "events")
        }
        bar.finish()
        let seconds = Date().timeIntervalSince(started)
        switch result {
        case .intact(let head):
            let damage = try ledger.verifyIndexes()
            if json {
                var object = result.jsonObject
                object["damagedIndexes"] = .array(
                    damage.map { .object(["index": .string($0.index), "reason": .string($0.reason)]) })
                print(JSONValue.object(object).serialized())
            } else {
                print("intact: \(Format.count(head.position)) events verified in \(Format.duration(seconds))")
                print("head: position \(head.position), hash \(head.hash)")
                for problem in damage {
                    print("INDEX DAMAGED: \(problem.index): \(problem.reason)")
                }
                if !damage.isEmpty {
                    print(
                        "the records and their chain are intact; rebuild the indexes from them with "
                            + "`traceledger repair-indexes`")
                }
            }
            if !damage.isEmpty { throw ExitCode(ExitStatus.verificationFailed) }
        case .broken(let position, let reason):
            if json {
                print(result.json)
            } else {
                print("BROKEN at position \(position): \(reason)")
                print(
                    "events before position \(position) are intact; restore the store from a backup or investigate"
                )
            }
            throw ExitCode(ExitStatus.verificationFailed)
        }
    }
}
