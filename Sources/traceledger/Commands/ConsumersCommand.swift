import ArgumentParser
import JSONKit
import TraceLedger

struct ConsumersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consumers",
        abstract: "List replay consumers: checkpoint, lag behind the head, dead letters, last delivery.")

    @OptionGroup var store: StoreOptions

    @Flag(name: .long, help: "Print one JSON object per consumer.")
    var json = false

    func run() async throws {
        let ledger = try store.openLedger()
        let head = try ledger.head().position
        let consumers = try ledger.consumers()
        var table = TextTable(
            "CONSUMER", "CHECKPOINT", "LAG", "DEAD", "HELD", "DELIVERED", "LAST DELIVERY (UTC)", "SINK")
        for consumer in consumers {
            let letters = try ledger.deadLetters(of: consumer.name)
            let dead = letters.filter { $0.state == .dead }.count
            let lag = head > consumer.checkpoint ? head - consumer.checkpoint : 0
            if json {
                print(
                    "{\"consumer\":\(JSONString.quoted(consumer.name)),\"checkpoint\":\(consumer.checkpoint),\"lag\":\(lag),"
                        + "\"deadLetters\":\(dead),\"held\":\(letters.count - dead),\"delivered\":\(consumer.delivered),"
                        + "\"lastDeliveryAt\":\(consumer.lastDeliveryAt.map { "\"\($0.rfc3339)\"" } ?? "null"),"
                        + "\"sink\":\(JSONString.quoted(consumer.sink))}")
            } else {
                table.add(
                    consumer.name, String(consumer.checkpoint), Format.count(lag), String(dead),
                    String(letters.count - dead),
                    Format.count(consumer.delivered),
                    consumer.lastDeliveryAt.map(EventPrinter.shortTime) ?? "never",
                    consumer.sink)
            }
        }
        if json { return }
        if consumers.isEmpty {
            print("no consumers yet: traceledger replay --to SINK --consumer NAME starts one")
        } else {
            print(table.rendered())
        }
    }
}
