import ArgumentParser
import Foundation
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import TraceLedger
import TraceLedgerServer
import UnixSignals

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the ledger over HTTP: append, read, live tail, roles, metrics (docs/http-api.md).",
        discussion: """
            SIGTERM or SIGINT stops accepting requests, answers those in flight (each append only once \
            durable), then closes the store. Without --tokens the server listens only on a loopback \
            address. TLS is not served: terminate it at a proxy.
            """)

    @OptionGroup var store: StoreOptions

    @Option(name: .long, help: ArgumentHelp("The address to listen on.", valueName: "host:port"))
    var listen = "127.0.0.1:8480"

    @Option(
        name: .long,
        help: ArgumentHelp("The token file (`traceledger token add` writes it).", valueName: "file"))
    var tokens: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Shopify client secrets, one per line (else TRACELEDGER_SHOPIFY_SECRETS, comma-separated).",
            valueName: "file"))
    var shopifySecretsFile: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Stripe signing secrets, one per line (else TRACELEDGER_STRIPE_SECRETS, comma-separated).",
            valueName: "file"))
    var stripeSecretsFile: String?

    @Option(
        name: .long,
        help: ArgumentHelp("How far a Stripe signature's time may be from now.", valueName: "seconds"))
    var stripeTolerance: Int = 300

    @Option(
        name: .long,
        help: ArgumentHelp("The Stripe metadata key holding the shop's order id.", valueName: "key"))
    var stripeOrderKey = "order_id"

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The key that signs checkpoints (else $TRACELEDGER_CHECKPOINT_KEY); with --checkpoint-every.",
            valueName: "keyfile"))
    var checkpointKey: String?

    @Option(name: .long, help: ArgumentHelp("Sign a checkpoint after every N new events.", valueName: "n"))
    var checkpointEvery: UInt64?

    func validate() throws {
        if let checkpointEvery, checkpointEvery == 0 {
            throw ValidationError("--checkpoint-every must be at least 1")
        }
        if checkpointKey != nil && checkpointEvery == nil {
            throw ValidationError("--checkpoint-key signs with --checkpoint-every N: say how often")
        }
        if checkpointEvery != nil && checkpointKey == nil
            && ProcessInfo.processInfo.environment["TRACELEDGER_CHECKPOINT_KEY"] == nil
        {
            throw ValidationError(
                "--checkpoint-every needs --checkpoint-key KEYFILE (made by `traceledger keygen`)")
        }
        guard ServerConfiguration.parseListen(listen) != nil else {
            throw ValidationError("--listen takes HOST:PORT, such as 127.0.0.1:8480 or [::1]:8480")
        }
        guard stripeTolerance > 0 else {
            throw ValidationError("--stripe-tolerance must be more than 0 seconds")
        }
    }

    /// The webhook secrets, from their files or the environment (never from the command line, where any user
    /// of the machine could read them in the process list).
    private func webhooks() throws -> WebhookConfiguration {
        var webhooks = WebhookConfiguration()
        webhooks.shopifySecrets = try secrets(
            file: shopifySecretsFile, variable: "TRACELEDGER_SHOPIFY_SECRETS")
        webhooks.stripeSecrets = try secrets(file: stripeSecretsFile, variable: "TRACELEDGER_STRIPE_SECRETS")
        webhooks.stripeTolerance = .seconds(stripeTolerance)
        webhooks.stripeOrderKey = stripeOrderKey
        return webhooks
    }

    private func secrets(file: String?, variable: String) throws -> [String] {
        guard let file else {
            return WebhookConfiguration.secrets(fromList: ProcessInfo.processInfo.environment[variable] ?? "")
        }
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw LedgerError(
                .invalidArgument, "cannot read the secrets file \(file): \(error.localizedDescription)")
        }
        let secrets = WebhookConfiguration.secrets(fromList: text, lines: true)
        guard !secrets.isEmpty else {
            throw LedgerError(
                .invalidArgument, "the secrets file \(file) holds no secret; write one per line")
        }
        return secrets
    }

    func run() async throws {
        let (host, port) = ServerConfiguration.parseListen(listen)!
        var configuration = ServerConfiguration(host: host, port: port)
        if let tokens { configuration.tokens = try TokenFile(path: tokens) }
        configuration.webhooks = try webhooks()
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let logger = Logger(label: "traceledger.server")
        let ledger = try store.openLedger()
        let application = try buildApplication(
            configuration, ledger: ledger, logger: logger, renderMetrics: { registry.emitToBuffer() },
            onServerRunning: { port in
                Terminal.error("traceledger serving \(ledger.path) on http://\(host):\(port)")
            })
        // Shut down in reverse order: the HTTP server first (finishing in-flight requests), then the ledger.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: LedgerService(ledger: ledger))
        ]
        if let checkpointEvery {
            let path = checkpointKey ?? ProcessInfo.processInfo.environment["TRACELEDGER_CHECKPOINT_KEY"]!
            let key = try ProofFiles.signer(path)
            services.append(
                .init(service: CheckpointService(ledger: ledger, key: key, every: checkpointEvery)))
        }
        services.append(.init(service: application))
        let group = ServiceGroup(
            configuration: .init(
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Manage the server's bearer tokens.", subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a token to a token file and print it, once: only its SHA-256 is stored.")

        @Argument(help: "The token's name, recorded as the actor of what it does (e.g. shop-connector).")
        var name: String

        @Option(
            name: .long, parsing: .upToNextOption,
            help: "ingest, read, audit, operate (comma or space separated).")
        var roles: [String]

        @Option(
            name: .long, help: ArgumentHelp("The token file (created with mode 0600).", valueName: "file"))
        var tokens: String

        func run() async throws {
            var set: Set<Role> = []
            for name in roles.flatMap({ $0.split(separator: ",") }) {
                guard let role = Role(rawValue: String(name)) else {
                    throw ValidationError("unknown role \(name): choose ingest, read, audit or operate")
                }
                set.insert(role)
            }
            let token = try TokenFile.add(name: name, roles: set, to: tokens)
            print(token)
            Terminal.error(
                "added \(name) (\(set.sorted().map(\.rawValue).joined(separator: ","))) to \(tokens); "
                    + "the token above is shown only now")
        }
    }
}
