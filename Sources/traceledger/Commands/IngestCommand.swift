import ArgumentParser
import Foundation
import TraceLedger
import TraceLedgerIngest

struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Record exported or captured Shopify or Stripe payloads, mapped like their webhooks.",
        discussion: """
            A backfill before going live: each payload becomes the ledger events its webhook would, with \
            origin shopify-backfill or stripe-backfill and a backfill service actor, and its bytes kept as \
            evidence. A file holds one payload, a JSON array, NDJSON, Stripe's list form or Shopify's REST \
            wrapper ({"order": …} or {"orders": […]}). Running it again appends nothing. Every file is read \
            and checked before anything is written.
            """)

    @OptionGroup var store: StoreOptions

    @Argument(help: ArgumentHelp("shopify or stripe.", valueName: "provider"))
    var provider: ProviderArgument

    @Argument(help: ArgumentHelp("The payload files.", valueName: "file"))
    var files: [String]

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The Shopify topic of every payload (else taken from the REST wrapper's key).", valueName: "topic"
        ))
    var topic: String?

    @Option(
        name: .long,
        help: ArgumentHelp("The Stripe metadata key holding the shop's order id.", valueName: "key"))
    var stripeOrderKey = "order_id"

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("name at least one file to ingest") }
        if topic != nil && provider.value == .stripe {
            throw ValidationError("--topic is for Shopify payloads; every Stripe event names its own type")
        }
    }

    func run() async throws {
        var deliveries: [ProviderDelivery] = []
        for file in files {
            let bytes: [UInt8]
            do {
                bytes = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
            } catch {
                throw LedgerError(.notFound, "cannot read \(file): \(error.localizedDescription)")
            }
            do {
                deliveries += try BackfillFile.deliveries(
                    provider.value, bytes: bytes, topic: topic, source: file)
            } catch {
                throw LedgerError(.invalidEvent, error.message)
            }
        }
        let mapper = DeliveryMapper(stripeOrderKey: stripeOrderKey)
        var mapped: [(events: [ProposedEvent], body: [UInt8], unmapped: String?)] = []
        for delivery in deliveries {
            do {
                let result = try mapper.events(for: delivery)
                mapped.append((result.events, delivery.body, result.unmappedReason))
            } catch {
                throw LedgerError(.invalidEvent, error.message)
            }
        }
        let ledger = try store.openLedger()
        var recorded = 0
        var already = 0
        var events = 0
        var unmapped: [String: Int] = [:]
        // A few hundred deliveries per transaction: one fsync each, and a backfill of a month stays quick.
        for start in stride(from: 0, to: mapped.count, by: 256) {
            let chunk = Array(mapped[start..<min(start + 256, mapped.count)])
            let outcomes = try await ledger.write { transaction in
                try chunk.map { try transaction.appendDelivery($0.events, evidence: $0.body) }
            }
            for (delivery, outcome) in zip(chunk, outcomes) {
                if outcome.allSatisfy(\.isDuplicate) {
                    already += 1
                    continue
                }
                recorded += 1
                events += outcome.count
                if let reason = delivery.unmapped { unmapped[reason, default: 0] += 1 }
            }
        }
        await ledger.close()  // lets the writer train the zstd dictionary when one is due (see `import`)
        Terminal.error(
            "recorded \(recorded) deliveries as \(events) events; \(already) were recorded already; "
                + "\(unmapped.values.reduce(0, +)) kept unmapped")
        for (reason, count) in unmapped.sorted(by: { $0.key < $1.key }) {
            Terminal.error("  unmapped (\(count)): \(reason)")
        }
    }
}

/// `shopify` or `stripe`.
struct ProviderArgument: ExpressibleByArgument {
    let value: Provider

    init?(argument: String) {
        guard let provider = Provider(rawValue: argument.lowercased()) else { return nil }
        value = provider
    }

    static var allValueStrings: [String] { Provider.allCases.map(\.rawValue) }
}
