import ArgumentParser
import Foundation
import TraceLedger

struct ProjectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "project",
        abstract: "Catch the projections up to the head of the log, rebuild them, or print their digests.",
        discussion: """
            Without options, folds the events after each projection's checkpoint. --rebuild folds the log from \
            position 1 into fresh databases and swaps them in atomically (readers see the old state until then). \
            --digest prints, per projection, a SHA-256 over its stored state in key order: a rebuild and an \
            incremental catch-up of the same log print the same digests.
            """)

    @OptionGroup var store: StoreOptions

    @Flag(name: .long, help: "Rebuild from position 1 into fresh databases, then swap them in.")
    var rebuild = false

    @Option(name: .long, parsing: .upToNextOption, help: "With --rebuild: only these projections.")
    var domain: [Domain] = []

    @Flag(name: .long, help: "Print each projection's checkpoint, counts and state digest.")
    var digest = false

    @Flag(name: .long, help: "With --digest: print NDJSON, one projection per line.")
    var json = false

    func validate() throws {
        if !domain.isEmpty, !rebuild { throw ValidationError("--domain goes with --rebuild") }
        if let ledgerDomain = domain.first(where: { !Domain.projected.contains($0) }) {
            throw ValidationError(
                "\(ledgerDomain.rawValue) has no projection; choose order, payment, stock, invoice or customer"
            )
        }
        if json, !digest { throw ValidationError("--json goes with --digest") }
    }

    func run() async throws {
        let projections = ProjectionEngine(ledger: try store.openLedger())
        let started = Date()
        let result: ProjectionEngine.Progress
        if rebuild {
            result = try await ProjectionProgress.run("rebuilding") {
                try await projections.rebuild(domain.isEmpty ? Domain.projected : domain, progress: $0)
            }
        } else {
            result = try await ProjectionProgress.run("catching up") {
                try await projections.catchUp(progress: $0)
            }
        }
        let seconds = Date().timeIntervalSince(started)
        if !json {
            let verb =
                rebuild
                ? "rebuilt \((domain.isEmpty ? Domain.projected : domain).map(\.rawValue).joined(separator: ", "))"
                : "caught up"
            let rate =
                seconds > 0 ? " (\(Format.count(Int(Double(result.eventsRead) / seconds))) events/s)" : ""
            print(
                "\(verb): \(Format.count(result.eventsRead)) events folded in \(Format.duration(seconds))\(rate); "
                    + "projections at position \(result.head)")
        }
        guard digest else { return }
        let statuses = try projections.statuses()
        if json {
            for status in statuses { print(status.json) }
            return
        }
        var table = TextTable("PROJECTION", "CHECKPOINT", "ENTITIES", "ANOMALIES", "DIGEST (SHA-256)")
        for status in statuses {
            table.add(
                status.domain.rawValue, String(status.checkpoint), String(status.entities),
                String(status.anomalies),
                status.digest)
        }
        print(table.rendered())
    }
}

/// Catches the projections up before a reading command answers, with a progress bar on a terminal.
enum ProjectionProgress {
    /// Runs `work` with a progress callback that draws a bar on stderr (only on a terminal).
    static func run(
        _ label: String,
        _ work: ((ProjectionEngine.Progress) -> Void) async throws -> ProjectionEngine.Progress
    ) async throws -> ProjectionEngine.Progress {
        var bar: ProgressBar?
        let result = try await work { progress in
            if bar == nil { bar = ProgressBar(total: Int(progress.head), unit: "events") }
            bar?.update(
                done: Int(progress.position), items: Int(progress.eventsRead), itemName: "events", note: label
            )
        }
        bar?.finish()
        return result
    }

    /// Catches every projection up to the head, so the answer that follows is not stale.
    static func catchUp(_ projections: ProjectionEngine) async throws {
        _ = try await run("catching up projections") { try await projections.catchUp(progress: $0) }
    }
}
