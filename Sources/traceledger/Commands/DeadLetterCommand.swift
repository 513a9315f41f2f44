import ArgumentParser
import Foundation
import TraceLedger

struct DeadLetterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq",
        abstract: "Work through a consumer's dead-letter queue: list, show, retry, discard.",
        discussion:
            "Every retry and discard is appended to the ledger (domain ledger) with its actor and reason.",
        subcommands: [List.self, Show.self, Retry.self, Discard.self])

    /// `--consumer NAME`, shared by the dlq subcommands.
    struct ConsumerOption: ParsableArguments {
        @Option(name: .long, help: "The consumer whose queue this is.")
        var consumer: String
    }

    /// `--position P` (repeatable) or `--all`, and the reason recorded in the ledger.
    struct Selection: ParsableArguments {
        @Option(name: .long, help: "A dead letter's position (repeat for several).")
        var position: [UInt64] = []

        @Flag(name: .long, help: "Every dead letter of the consumer.")
        var all = false

        @Option(name: .long, help: "Why, recorded in the ledger with your name.")
        var reason: String

        func validate() throws {
            if all == !position.isEmpty { throw ValidationError("give --position P (one or more) or --all") }
            if reason.trimmingCharacters(in: .whitespaces).isEmpty {
                throw ValidationError("--reason must say why")
            }
        }

        var positions: [UInt64]? { all ? nil : position }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the dead letters of a consumer.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var consumer: ConsumerOption
        @Flag(name: .long, help: "Print one JSON object per dead letter.") var json = false

        func run() async throws {
            let letters = try DeadLetterQueue(ledger: store.openLedger(), consumer: consumer.consumer)
                .letters()
            if json {
                for letter in letters { print(letter.json) }
                return
            }
            guard !letters.isEmpty else {
                print("the dead-letter queue of \(consumer.consumer) is empty")
                return
            }
            var table = TextTable("POS", "STATE", "ATTEMPTS", "ENTITY", "TYPE", "FAILED (UTC)", "LAST ERROR")
            for letter in letters {
                table.add(
                    String(letter.position), DeadLetterReport.state(letter), String(letter.attempts),
                    "\(letter.stream)",
                    letter.type, EventPrinter.shortTime(letter.failedAt), letter.lastError)
            }
            print(table.rendered())
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one dead letter with its event and the response.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var consumer: ConsumerOption
        @Option(name: .long, help: "The dead letter's position.") var position: UInt64

        func run() async throws {
            let ledger = try store.openLedger()
            guard
                let letter = try DeadLetterQueue(ledger: ledger, consumer: consumer.consumer).letters().first(
                    where: { $0.position == position })
            else {
                throw LedgerError(
                    .notFound, "position \(position) is not in the dead-letter queue of \(consumer.consumer)")
            }
            print("position:    \(letter.position) (\(DeadLetterReport.state(letter)))")
            print(
                "event:       \(letter.eventId) \(letter.type) \(DisplaySafety.escaped("\(letter.stream)"))")
            print("trace:       \(letter.traceId)")
            print("attempts:    \(letter.attempts), last at \(letter.failedAt.rfc3339)")
            print("last error:  \(DisplaySafety.escaped(letter.lastError))")
            if let status = letter.status { print("status:      \(status)") }
            if let response = letter.response { print("response:    \(DisplaySafety.escaped(response))") }
            if let event = try ledger.event(at: position) { print("envelope:    \(event.envelopeJSON())") }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Deliver dead letters again (then the events held behind them), recording who and why.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var consumer: ConsumerOption
        @OptionGroup var selection: Selection
        @OptionGroup var actor: ActorOptions
        @OptionGroup var sink: SinkOptions
        @Option(name: .long, help: "Attempts per delivery.") var maxAttempts = 3

        func run() async throws {
            let ledger = try store.openLedger()
            let destination = try sink.openSink(fallback: try ledger.consumer(named: consumer.consumer)?.sink)
            var options = ReplayOptions(consumer: consumer.consumer, actor: actor.resolved)
            options.maximumAttempts = maxAttempts
            let resolution: DeadLetterQueue.Resolution
            do {
                resolution = try await DeadLetterQueue(ledger: ledger, consumer: consumer.consumer).retry(
                    positions: selection.positions, sink: destination, options: options,
                    actor: actor.resolved,
                    reason: selection.reason)
            } catch {
                await destination.close()
                throw error
            }
            await destination.close()
            try DeadLetterReport.print(resolution, consumer: consumer.consumer)
        }
    }

    struct Discard: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Drop dead letters without delivering them, recording who and why.",
            discussion:
                "Events held behind a discarded letter are delivered (to --to, or the consumer's last sink).")
        @OptionGroup var store: StoreOptions
        @OptionGroup var consumer: ConsumerOption
        @OptionGroup var selection: Selection
        @OptionGroup var actor: ActorOptions
        @OptionGroup var sink: SinkOptions

        func run() async throws {
            let ledger = try store.openLedger()
            let fallback = try ledger.consumer(named: consumer.consumer)?.sink
            let destination = selection.all ? nil : try sink.openSink(fallback: fallback)
            var options = ReplayOptions(consumer: consumer.consumer, actor: actor.resolved)
            options.maximumAttempts = 3
            let resolution = try await DeadLetterQueue(ledger: ledger, consumer: consumer.consumer).discard(
                positions: selection.positions, sink: destination, options: options, actor: actor.resolved,
                reason: selection.reason)
            await destination?.close()
            try DeadLetterReport.print(resolution, consumer: consumer.consumer)
        }
    }
}

/// How dead letters and resolutions read.
enum DeadLetterReport {
    static func state(_ letter: DeadLetter) -> String {
        switch letter.state {
        case .dead: "dead"
        case .held(let behind): "held behind \(behind)"
        }
    }

    /// Prints what a retry or discard did; exits 5 when dead letters remain.
    static func print(_ resolution: DeadLetterQueue.Resolution, consumer: String) throws {
        if !resolution.delivered.isEmpty {
            Swift.print("delivered: \(resolution.delivered.map(String.init).joined(separator: ", "))")
        }
        if !resolution.discarded.isEmpty {
            Swift.print("discarded: \(resolution.discarded.map(String.init).joined(separator: ", "))")
        }
        for letter in resolution.stillDead {
            Swift.print("still failing: \(letter.position): \(letter.lastError)")
        }
        if resolution.delivered.isEmpty && resolution.discarded.isEmpty && resolution.stillDead.isEmpty {
            Swift.print("nothing to do: the dead-letter queue of \(consumer) holds no dead letters")
        }
        if !resolution.stillDead.isEmpty { throw ExitCode(ExitStatus.needsAttention) }
    }
}
