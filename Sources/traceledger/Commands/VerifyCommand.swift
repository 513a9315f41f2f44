import ArgumentParser
import Foundation
import JSONKit
import TraceLedger

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Walk the hash chain and prove the log unaltered.",
        discussion: "Exit 0 with the head when intact; exit 3 with the first bad position when not.")

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
            if json {
                print(result.json)
            } else {
                print("intact: \(Format.count(head.position)) events verified in \(Format.duration(seconds))")
                print("head: position \(head.position), hash \(head.hash)")
            }
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
