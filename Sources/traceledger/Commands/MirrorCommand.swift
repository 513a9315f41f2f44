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
        var reader = try NATSStreamReader(url: from, consumer: status.consumer)
        let stop = ReplayStop()
        let signals = StopSignals { stop.request() }
        defer { signals.cancel() }
        Terminal.error(
            "mirroring \(from) (stream \(reader.stream), consumer \(status.consumer)) into \(store.path) from "
                + "position \(status.head.position + 1)")
        var applied = 0
        var lastLook = ContinuousClock.now - .seconds(10)
        var primaryHead: UInt64?
        var outage = Outage()
        var resumedAfterGap = false
        while !stop.isRequested {
            // NATS not answering (a server restarting, a leader election) is waited out; nothing is lost, as
            // nothing is acknowledged before it is committed.
            let fetched: NATSStreamReader.Batch?
            do {
                fetched = try await reader.fetch(batch, timeout: .milliseconds(500))
                if ContinuousClock.now - lastLook > .seconds(1) || fetched == nil {
                    primaryHead = try await Self.position(of: reader.lastMessage()?.body)
                    lastLook = .now
                }
                outage.end()
            } catch let error as LedgerError where error.kind == .unavailable {
                try await outage.wait(error)
                continue
            }
            guard let fetched, !fetched.bodies.isEmpty else {
                if once, try ledger.head().position >= primaryHead ?? 0 { break }
                continue
            }
            var records: [ReplicatedRecord] = []
            for body in fetched.bodies {
                let decoded = body.withUnsafeBytes { bytes in
                    Result { () throws(LedgerError) in try ReplicatedRecord.decode(bytes) }
                }
                switch decoded {
                case .success(let record): records.append(record)
                case .failure(let error):
                    let position = Self.position(of: body).map { "position \($0)" } ?? "a message"
                    throw LedgerError(
                        .corrupted,
                        "\(position) after the replica's head \(try ledger.head().position) cannot be applied: "
                            + "\(error.message); nothing from it on is applied")
                }
            }
            let outcomes: [ReplicaOutcome]
            do {
                outcomes = try await ledger.applyReplicated(records, primaryHead: primaryHead)
                resumedAfterGap = false
            } catch let error as LedgerError where error.rule == "gap" && !resumedAfterGap {
                // Messages handed out before an outage and never acknowledged come again only after the ack
                // wait, behind newer ones: read again from the last acknowledged message (what follows it up
                // to the head is recognised by its hash). A gap that is still there then is real.
                resumedAfterGap = true
                reader = try NATSStreamReader(url: from, consumer: status.consumer)
                continue
            } catch let error as LedgerError where error.kind == .conflict || error.kind == .corrupted {
                // The stream does not continue this replica's log: stop, acknowledge nothing (exit 3).
                throw LedgerError(.corrupted, error.message + "; nothing from there on is applied")
            }
            do {
                try await reader.acknowledge(fetched)
            } catch let error as LedgerError where error.kind == .unavailable {
                try await outage.wait(error)  // committed: delivered again later, and recognised by its hash
            }
            applied += outcomes.count { if case .applied = $0 { true } else { false } }
            let again = outcomes.count - outcomes.count { if case .applied = $0 { true } else { false } }
            if again > 0 { Terminal.error("\(again) messages delivered again were already applied (same hashes)") }
        }
        let head = try ledger.head()
        print("replica at position \(head.position), hash \(head.hash); \(applied) events applied")
        await ledger.close()
    }

    /// An outage of the stream: reported once, waited out with a backoff capped at 5 s.
    struct Outage {
        private var since: Date?
        private var delay: Duration = .milliseconds(100)

        mutating func wait(_ error: LedgerError) async throws {
            if since == nil {
                since = Date()
                Terminal.error("the stream does not answer (\(error.message)); waiting for it, nothing is lost")
            }
            try await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(5))
        }

        mutating func end() {
            if let since {
                Terminal.error(
                    "the stream answers again after \(String(format: "%.1f", Date().timeIntervalSince(since))) s")
            }
            since = nil
            delay = .milliseconds(100)
        }
    }

    /// The position a recorded envelope carries.
    static func position(of body: [UInt8]?) -> UInt64? {
        guard let body, case .object(let object)? = try? JSONParser.parse(body).value else { return nil }
        return object["position"]?.numberValue?.int64Value.flatMap(UInt64.init(exactly:))
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
        let ledger = try store.openLedger()
        guard let status = try ledger.replicaStatus() else {
            throw LedgerError(.invalidArgument, "\(store.path) is not a replica: it is a primary")
        }
        // Ask the stream itself when it answers; the replica's own note of the primary's head otherwise.
        var primaryHead = status.primaryHead
        var primaryAt: Timestamp?
        if let reader = try? NATSStreamReader(url: status.origin, consumer: nil),
            let last = try? await reader.lastMessage(), let record = try? last.body.withUnsafeBytes({
                try ReplicatedRecord.decode($0)
            })
        {
            primaryHead = record.position
            primaryAt = record.recordedAt
        }
        let lagEvents = primaryHead.map { $0 > status.head.position ? $0 - status.head.position : 0 }
        let lagSeconds = primaryAt.map { max(0, Double($0.nanosecondsSinceEpoch - status.head.recordedAt.nanosecondsSinceEpoch) / 1e9) }
        if json {
            var object: JSONObject = [
                "origin": .string(status.origin), "consumer": .string(status.consumer),
                "head": .integer(status.head.position), "hash": .string(status.head.hash.description),
            ]
            if let primaryHead { object["primaryHead"] = .integer(primaryHead) }
            if let lagEvents { object["lagEvents"] = .integer(lagEvents) }
            if let lagSeconds { object["lagSeconds"] = .number(JSONNumber(literal: String(format: "%.3f", lagSeconds))!) }
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
