import ArgumentParser
import Foundation
import JSONKit
import TraceLedger

struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats", abstract: "Show counts, sizes and compression of the store.")

    @OptionGroup var store: StoreOptions

    @Flag(name: .long, help: "Print the statistics as JSON.")
    var json = false

    func run() async throws {
        let ledger = try store.openLedger()
        let stats = try ledger.statistics()
        let replica = try ledger.replicaStatus()
        if json {
            var object = stats.jsonObject
            if let replica {
                var about: JSONObject = ["origin": .string(replica.origin)]
                if let seen = replica.primaryHead {
                    about["primaryHead"] = .integer(seen)
                    about["lagEvents"] = .integer(replica.lagEvents)
                }
                object["replica"] = .object(about)
            }
            print(JSONValue.object(object).serialized())
            return
        }
        var table = TextTable("", "")
        table.add("events", Format.count(stats.events))
        for domain in Domain.allCases {
            table.add("  \(domain.rawValue)", Format.count(stats.eventsByDomain[domain] ?? 0))
        }
        table.add("entities", Format.count(stats.streams))
        table.add("traces", Format.count(stats.traces))
        table.add("actors", Format.count(stats.actors))
        table.add(
            "bytes on disk", "\(Format.bytes(stats.usedBytes)) in use (file \(Format.bytes(stats.fileBytes)))"
        )
        table.add("bytes per event", String(format: "%.1f (indexes included)", stats.bytesPerEvent))
        table.add(
            "reader slots",
            "\(stats.readerSlots) taken"
                + (stats.staleReadersFreed > 0
                    ? "; \(stats.staleReadersFreed) of dead processes freed now" : ""))
        table.add(
            "compression",
            String(
                format: "%.2f× (%@ → %@ of event bodies), %d dictionar%@", stats.compressionRatio,
                Format.bytes(stats.canonicalBodyBytes), Format.bytes(stats.storedBodyBytes),
                stats.dictionaries,
                stats.dictionaries == 1 ? "y" : "ies"))
        table.add("head", "position \(stats.head.position), hash \(stats.head.hash)")
        if stats.head.position > 0 { table.add("last recorded", stats.head.recordedAt.rfc3339) }
        if let replica {
            table.add("replica of", replica.origin)
            table.add(
                "primary's head",
                replica.primaryHead.map { "position \($0) when last seen; \(replica.lagEvents) events behind" }
                    ?? "not seen yet (`traceledger mirror status` asks the stream)")
        }
        print(table.rendered().split(separator: "\n").dropFirst().joined(separator: "\n"))
    }
}
