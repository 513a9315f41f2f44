import ArgumentParser
import Foundation
import JSONKit
import TraceLedger
import TraceLedgerSinks

struct MirrorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mirror",
        abstract: "Keep a read-only replica of a primary from the JetStream stream its replay publishes.",
        discussion: """
            Creates the replica store when --store does not exist, then applies the stream's events strictly in \
            position order, re-creating each record and checking its chain hash against the primary's before \
            committing; messages are acknowledged only after the commit is durable. A gap, another event at a \
            position, or a hash that differs stops it with an error naming the position (exit 3). The replica \
            refuses every other append until `traceledger promote`. docs/scaling.md has the topology.
            """,
        subcommands: [MirrorRunCommand.self, MirrorStatusCommand.self],
        defaultSubcommand: MirrorRunCommand.self)
}

struct MirrorRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Mirror the stream into the replica (the default subcommand).")

    @OptionGroup var store: StoreOptions

    @Option(name: .long, help: ArgumentHelp("The primary's stream.", valueName: "nats://host:port/subject"))
    var from: String

    @Flag(name: .long, help: "Stop once the replica holds everything the stream held when it looked.")
    var once = false

    @Option(name: .long, help: "Messages applied per transaction.")
    var batch = 500

    func validate() throws {
        guard (1...10_000).contains(batch) else { throw ValidationError("--batch takes 1 to 10000") }
    }

    func run() async throws {
        let ledger: Ledger
        if FileManager.default.fileExists(atPath: store.path + "/data.mdb") {
            ledger = try store.openLedger()
        } else {
            ledger = try Ledger.create(at: store.path)
        }
        try await ledger.becomeReplica(of: from)
        guard let status = try ledger.replicaStatus() else { throw ExitCode.failure }
        let stop = ReplayStop()
        let signals = StopSignals { stop.request() }
        defer { signals.cancel() }
        var mirror = StreamMirror(ledger: ledger, origin: from)
        mirror.batch = batch
        mirror.once = once
        mirror.log = { Terminal.error($0) }
        Terminal.error("mirroring \(from) into \(store.path) from position \(status.head.position + 1)")
        let summary = try await mirror.run(stop: stop)
        let head = try ledger.head()
        print("replica at position \(head.position), hash \(head.hash); \(summary.applied) events applied")
        await ledger.close()
    }
}
struct MirrorStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "The primary's head the replica has seen, its own head, and the lag in events and seconds.")

    @OptionGroup var store: StoreOptions

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func run() async throws {
        let (ledger, status) = try store.openReplica()
        // Ask the stream itself when it answers; the replica's own note of the primary's head otherwise.
        var primaryHead = status.primaryHead
        var primaryAt: Timestamp?
        if let reader = try? NATSStreamReader(url: status.origin, consumer: nil),
            let last = try? await reader.lastMessage(),
            let record = try? last.body.withUnsafeBytes({
                try ReplicatedRecord.decode($0)
            })
        {
            primaryHead = record.position
            primaryAt = record.recordedAt
        }
        let seen = ReplicaStatus(
            origin: status.origin, consumer: status.consumer, head: status.head, primaryHead: primaryHead)
        let lagEvents = primaryHead.map { _ in seen.lagEvents }
        let lagSeconds = primaryAt.map {
            max(0, Double($0.nanosecondsSinceEpoch - status.head.recordedAt.nanosecondsSinceEpoch) / 1e9)
        }
        if json {
            var object: JSONObject = [
                "origin": .string(status.origin), "consumer": .string(status.consumer),
                "head": .integer(status.head.position), "hash": .string(status.head.hash.description),
            ]
            if let primaryHead { object["primaryHead"] = .integer(primaryHead) }
            if let lagEvents { object["lagEvents"] = .integer(lagEvents) }
            if let lagSeconds {
                object["lagSeconds"] = .number(JSONNumber(literal: String(format: "%.3f", lagSeconds))!)
            }
            print(JSONValue.object(object).serialized())
        } else {
            print("replica of     \(status.origin) (consumer \(status.consumer))")
            print("head           position \(status.head.position), hash \(status.head.hash)")
            print("primary's head \(primaryHead.map { "position \($0)" } ?? "not seen yet")")
            print(
                "lag            \(lagEvents.map(String.init) ?? "?") events"
                    + (lagSeconds.map { String(format: ", %.1f s", $0) } ?? ""))
        }
    }
}
