import ArgumentParser
import TraceLedger
import TraceLedgerSinks

struct StreamsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "streams", abstract: "Create the JetStream stream a primary publishes into.",
        subcommands: [StreamsCreateCommand.self])
}

struct StreamsCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a file-backed JetStream stream, replicated on --replicas servers, that keeps every message.",
        discussion: """
            Then publish with `traceledger replay --follow --to nats://HOST:PORT/SUBJECT --consumer NAME` and read \
            with `traceledger mirror --from nats://HOST:PORT/SUBJECT --store PATH`. docs/scaling.md.
            """)

    @Argument(help: "The stream's name, e.g. LEDGER.")
    var name: String

    @Option(name: .long, help: ArgumentHelp("A NATS server of the cluster.", valueName: "nats://host:port"))
    var server: String

    @Option(name: .long, help: "The subject the stream captures, e.g. ledger.events.")
    var subject: String

    @Option(name: .long, help: "On how many servers JetStream keeps it (3 for a cluster).")
    var replicas = 1

    func run() async throws {
        try JetStreamAdmin.createStream(at: server, name: name, subject: subject, replicas: replicas)
        print("stream \(name) created: subject \(subject), \(replicas) replica\(replicas == 1 ? "" : "s"), file storage")
    }
}
