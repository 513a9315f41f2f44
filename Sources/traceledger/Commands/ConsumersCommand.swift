import ArgumentParser
import TraceLedger

struct ConsumersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consumers",
        abstract: "List replay consumers: checkpoint, lag behind the head, dead letters, last delivery.")

    @OptionGroup var store: StoreOptions

    @Flag(name: .long, help: "Print one JSON object per consumer.")
    var json = false

    func run() async throws {
        let consumers = try store.openLedger().consumerStatuses()
        var table = TextTable(
            "CONSUMER", "CHECKPOINT", "LAG", "DEAD", "HELD", "DELIVERED", "LAST DELIVERY (UTC)", "SINK")
        for consumer in consumers {
            if json {
                print(consumer.json)
            } else {
                table.add(
                    consumer.state.name, String(consumer.state.checkpoint), Format.count(consumer.lag),
                    String(consumer.deadLetters), String(consumer.heldBack),
                    Format.count(consumer.state.delivered),
                    consumer.state.lastDeliveryAt.map(EventPrinter.shortTime) ?? "never", consumer.state.sink)
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
