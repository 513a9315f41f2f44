import ArgumentParser
import Foundation
import JSONKit
import TraceLedger

struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Re-send events to a downstream system, idempotently, from any point in time.",
        discussion: """
            Each delivery carries the event id as its idempotency key. The consumer's checkpoint is saved \
            durably after every window, so a stopped or killed replay continues where it stopped (run it again \
            without --from). Transient failures are retried with exponential backoff and jitter; permanent ones \
            go to the consumer's dead-letter queue (traceledger dlq), and later events of that entity are held \
            back so its order is never broken. Exit 5 when events were dead-lettered.
            """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var sink: SinkOptions
    @OptionGroup var actor: ActorOptions

    @Option(name: .long, help: "The consumer whose checkpoint and dead letters to use, e.g. erp-feed.")
    var consumer: String

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Start at this position or time (default: after the checkpoint).", valueName: "position|time"))
    var from: LogBound?

    @Option(
        name: .long,
        help: ArgumentHelp("Stop at this position, or before this time.", valueName: "position|time"))
    var until: LogBound?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Only these domains (comma-separated; default: all but ledger; all: every event, as a replica needs).",
            valueName: "d,..."))
    var domain: CommaList?

    @Option(name: .long, help: ArgumentHelp("Only these event types (comma-separated).", valueName: "t,..."))
    var type: CommaList?

    @Option(name: .long, help: ArgumentHelp("Only this trace.", valueName: "trace-id"))
    var trace: String?

    @Flag(name: .long, help: "Show what would be sent; send nothing, move no checkpoint.")
    var dryRun = false

    @Option(
        name: .long,
        help: ArgumentHelp("At most this many events per second (e.g. 200 or 200/s).", valueName: "n/s"))
    var rate: String?

    @Option(name: .long, help: "Entities delivered in parallel (each entity's events stay in order).")
    var concurrency = 1

    @Option(name: .long, help: "Events per HTTP request (a JSON array when more than 1).")
    var batch = 1

    @Option(name: .long, help: "Attempts per delivery before it becomes a dead letter.")
    var maxAttempts = 5

    @Option(
        name: .long,
        help: ArgumentHelp("First retry backoff (doubles each attempt, with jitter).", valueName: "duration"))
    var backoff: DurationArgument?

    @Flag(
        name: .long,
        help:
            "Start the consumer's job over: from --from, else position 1 (without it, a consumer continues its job)."
    )
    var restart = false

    @Flag(name: .long, help: "Print the summary as JSON.")
    var json = false

    @Flag(
        name: .long,
        help:
            "After catching up, keep delivering new events as they are committed; SIGINT or SIGTERM stops it."
    )
    var follow = false

    func validate() throws {
        guard (1...256).contains(concurrency) else {
            throw ValidationError("--concurrency must be from 1 to 256")
        }
        guard (1...10_000).contains(batch) else { throw ValidationError("--batch must be from 1 to 10000") }
        if batch > 1 && sink.format.value == .cloudEventsBinary {
            throw ValidationError(
                "--format cloudevents-binary sends one event per request: drop --batch, or use --format cloudevents"
            )
        }
        guard (1...100).contains(maxAttempts) else {
            throw ValidationError("--max-attempts must be from 1 to 100")
        }
        if let rate, parsedRate(rate) == nil {
            throw ValidationError("--rate must be a positive number of events per second")
        }
        if let domain {
            for name in domain.items where Domain(rawValue: name) == nil && name != "all" {
                throw ValidationError(
                    "unknown domain \(name): use order, payment, stock, invoice, customer or ledger")
            }
        }
        if follow && (until != nil || dryRun || trace != nil) {
            throw ValidationError("--follow goes on for ever: it does not take --until, --trace or --dry-run")
        }
        if sink.to == nil { throw ValidationError("--to is required: where should the events go?") }
    }

    private func parsedRate(_ text: String) -> Double? {
        let number = text.hasSuffix("/s") ? String(text.dropLast(2)) : text
        guard let value = Double(number), value > 0 else { return nil }
        return value
    }

    func run() async throws {
        let ledger = try store.openLedger()
        let destination = try sink.openSink()
        var options = ReplayOptions(consumer: consumer, actor: actor.resolved)
        options.from = from?.bound
        options.until = until?.bound
        options.domains = domain.map {
            $0.items.contains("all") ? Set(Domain.allCases) : Set($0.items.compactMap(Domain.init(rawValue:)))
        }
        options.types = type.map { Set($0.items) }
        options.traceId = trace
        options.dryRun = dryRun
        options.rate = rate.flatMap(parsedRate)
        options.concurrency = concurrency
        options.batchSize = batch
        options.maximumAttempts = maxAttempts
        if let backoff { options.retry.base = backoff.duration }
        options.restart = restart
        options.follow = follow
        let stop = ReplayStop()
        let signals = StopSignals { stop.request() }
        defer { signals.cancel() }
        let bar = ProgressBar(total: 1, unit: "events")
        let summary: ReplaySummary
        do {
            summary = try await Replayer(ledger: ledger, sink: destination, options: options).run(stop: stop)
            {
                progress in
                bar.update(
                    done: Int(progress.done), total: Int(progress.total), items: progress.delivered,
                    itemName: "delivered",
                    note: progress.failed > 0 ? "\(progress.failed) dead-lettered or held" : "")
            }
        } catch {
            bar.finish()
            await destination.close()
            throw error
        }
        bar.finish()
        await destination.close()
        // With the stdout sink, stdout carries the events: the summary goes to stderr.
        ReplayReport.print(summary, json: json, toStandardError: destination is StandardOutputSink)
        if summary.deadLettered + summary.heldBack > 0 {
            Terminal.error(
                "\(summary.deadLettered) events were dead-lettered and \(summary.heldBack) held back behind them: "
                    + "traceledger dlq list --consumer \(consumer)")
            throw ExitCode(ExitStatus.needsAttention)
        }
    }
}

/// Prints a replay's summary for people or as JSON.
enum ReplayReport {
    static func print(_ summary: ReplaySummary, json: Bool, toStandardError: Bool) {
        func print(_ line: String) {
            if toStandardError { Terminal.error(line) } else { Swift.print(line) }
        }
        if json {
            print(summary.json)
            return
        }
        if summary.firstPosition > summary.lastPosition {
            print(
                "nothing to send: consumer \(summary.consumer) is at position \(summary.checkpoint), the end of the range"
            )
            return
        }
        if summary.dryRun {
            print(
                "dry run: \(Format.count(summary.matched)) events of positions \(summary.firstPosition)–\(summary.lastPosition) "
                    + "would go to \(summary.sink); nothing was sent")
            var table = TextTable("TYPE", "EVENTS")
            for (type, count) in summary.countsByType.sorted(by: { $0.key < $1.key }) {
                table.add(type, Format.count(count))
            }
            if !summary.countsByType.isEmpty { print(table.rendered()) }
            return
        }
        if summary.matched == 0 {
            print(
                "nothing to send: no matching events in positions \(summary.firstPosition)–\(summary.lastPosition); "
                    + "consumer \(summary.consumer) checkpoint: \(summary.checkpoint)")
            return
        }
        let rate = Double(summary.delivered) / max(summary.seconds, 0.001)
        print(
            "delivered \(Format.count(summary.delivered)) of \(Format.count(summary.matched)) events (positions "
                + "\(summary.firstPosition)–\(summary.lastPosition)) to \(summary.sink) in \(Format.duration(summary.seconds)) "
                + "(\(Format.count(Int(rate))) events/s)")
        print(
            "retried \(summary.retried), dead-lettered \(summary.deadLettered), held back \(summary.heldBack); "
                + "consumer \(summary.consumer) checkpoint: \(summary.checkpoint)")
    }
}
