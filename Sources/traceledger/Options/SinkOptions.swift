import ArgumentParser
import Foundation
import TraceLedger
import TraceLedgerSinks

/// Where events go (`--to`) and how to authenticate, shared by `replay` and `dlq retry`.
struct SinkOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "stdout, file:PATH, http(s)://HOST/PATH or nats://HOST:PORT/SUBJECT.", valueName: "sink"))
    var to: String?

    @Option(
        name: .long,
        help: ArgumentHelp("Send Authorization: the value of this environment variable.", valueName: "name"))
    var authEnv: String?

    @Option(
        name: .long, help: ArgumentHelp("Send Authorization: the contents of this file.", valueName: "path"))
    var authFile: String?

    @Option(name: .long, help: "Seconds an HTTP request may take.")
    var timeout: Double = 10

    @Option(
        name: .long,
        help: ArgumentHelp(
            "envelope (the ledger's JSON), cloudevents (structured) or cloudevents-binary (ce-* headers, HTTP only).",
            valueName: "format"))
    var format: DeliveryFormatArgument = .init(value: .envelope)

    func validate() throws {
        if authEnv != nil && authFile != nil {
            throw ValidationError("give --auth-env or --auth-file, not both")
        }
        guard timeout > 0 else { throw ValidationError("--timeout must be more than 0 seconds") }
    }

    /// The Authorization header value, read from the environment or a file (never from the command line).
    func authorization() throws -> String? {
        if let authEnv {
            guard let value = ProcessInfo.processInfo.environment[authEnv], !value.isEmpty else {
                throw LedgerError(
                    .invalidArgument, "the environment variable \(authEnv) (--auth-env) is not set")
            }
            return value
        }
        if let authFile {
            do {
                return try String(contentsOfFile: authFile, encoding: .utf8).trimmingCharacters(
                    in: .whitespacesAndNewlines)
            } catch {
                throw LedgerError(
                    .notFound, "cannot read \(authFile) (--auth-file): \(error.localizedDescription)")
            }
        }
        return nil
    }

    /// Opens the sink named by `--to`, or `fallback` (the consumer's last sink) when `--to` is absent.
    func openSink(fallback: String? = nil) throws -> any ReplaySink {
        guard let address = to ?? fallback, !address.isEmpty else {
            throw ValidationError("--to is required: where should the events go?")
        }
        return try SinkAddress.open(
            address, authorization: try authorization(), timeout: .milliseconds(Int64(timeout * 1000)),
            format: format.value)
    }
}

/// `--format envelope|cloudevents|cloudevents-binary`.
struct DeliveryFormatArgument: ExpressibleByArgument {
    let value: DeliveryFormat

    init(value: DeliveryFormat) { self.value = value }

    init?(argument: String) {
        guard let format = DeliveryFormat(rawValue: argument) else { return nil }
        value = format
    }

    static var allValueStrings: [String] { DeliveryFormat.allCases.map(\.rawValue) }
}

/// `--actor WHO`: who performs a manual operation, recorded in the ledger.
struct ActorOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Who you are, e.g. user:alice@example.com (recorded in the ledger).", valueName: "actor"))
    var actor: String?

    /// The actor given, else `user:$USER`.
    var resolved: String {
        if let actor { return actor }
        return "user:" + (ProcessInfo.processInfo.environment["USER"] ?? "unknown")
    }
}

/// A duration written as `250ms`, `30s`, `15m`, `2h` or `1d`.
struct DurationArgument: ExpressibleByArgument {
    let duration: Duration

    init?(argument: String) {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)]
        for (suffix, seconds) in units where argument.hasSuffix(suffix) {
            guard let value = Double(argument.dropLast(suffix.count)), value >= 0 else { return nil }
            duration = .milliseconds(Int64(value * seconds * 1000))
            return
        }
        return nil
    }
}

/// A comma-separated list option value: `order,payment`.
struct CommaList: ExpressibleByArgument {
    let items: [String]

    init?(argument: String) {
        items = argument.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
            !$0.isEmpty
        }
        if items.isEmpty { return nil }
    }
}
