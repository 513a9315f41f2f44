import CNATS
import TraceLedgerSinks
public import Foundation
import Glibc

/// A real `nats-server` with JetStream, started on loopback for a test, with a little of the JetStream API
/// (create a stream, count its messages) through libnats.
///
/// Sendable: it only holds the process handle, its paths and port; restarting is done by one test at a time.
public final class NATSServer: @unchecked Sendable {
    public let port: Int
    /// The server's name in a cluster (nil for a lone server).
    public let name: String?
    private let storage: TemporaryDirectory
    private var process: Process?
    private let clusterArguments: [String]

    /// `nats://127.0.0.1:PORT`.
    public var url: String { "nats://127.0.0.1:\(port)" }

    /// Starts `nats-server -js` on a free port, with its JetStream store in a temporary directory.
    ///
    /// - Throws: when nats-server is not installed (`tools/install-dependencies.sh` installs it) or does not start.
    public init() throws {
        storage = TemporaryDirectory("nats")
        port = try Self.freePort()
        name = nil
        clusterArguments = []
        try start()
    }

    /// A member of a JetStream cluster: its client `port`, its route port `clusterPort`, and the route ports
    /// of every member (its own included). Not started: `NATSCluster` starts the members together.
    init(clusterMember name: String, port: Int, clusterPort: Int, routes: [Int]) {
        storage = TemporaryDirectory("nats-\(name)")
        self.port = port
        self.name = name
        clusterArguments = [
            "-n", name, "--cluster_name", "traceledger", "--cluster", "nats://127.0.0.1:\(clusterPort)",
            "--routes", routes.map { "nats://127.0.0.1:\($0)" }.joined(separator: ","),
        ]
    }

    deinit {
        process?.terminate()
        process?.waitUntilExit()
    }

    /// Starts (again) on the same port and store.
    public func start() throws {
        let binary = ["/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        guard let binary else {
            throw NATSTestError(
                "nats-server is not installed: run tools/install-dependencies.sh (apt-get install nats-server)"
            )
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["-js", "-a", "127.0.0.1", "-p", String(port), "-sd", storage.path] + clusterArguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        for _ in 0..<200 {
            if Self.accepts(port: port) { return }
            Thread.sleep(forTimeInterval: 0.025)
        }
        throw NATSTestError("nats-server did not start listening on port \(port) within 5 s")
    }

    /// Kills the server without warning (SIGKILL), as a crashed machine would stop.
    public func kill() {
        if let process { Glibc.kill(process.processIdentifier, SIGKILL) }
        process?.waitUntilExit()
        process = nil
    }

    /// Stops the server (SIGTERM) and waits for it to exit.
    public func stop() {
        process?.terminate()
        process?.waitUntilExit()
        process = nil
    }

    /// Creates a file-backed stream capturing `subject`.
    public func createStream(named name: String, subject: String, replicas: Int = 1) throws {
        try JetStreamAdmin.createStream(at: url, name: name, subject: subject, replicas: replicas)
    }

    /// Publishes `body` to `subject` through JetStream with `Nats-Msg-Id` = `id`, and waits for the stream's ack.
    public func publish(_ body: String, subject: String, id: String, headers: [String: String] = [:]) throws {
        try withJetStream { jetStream in
            var options = jsPubOptions()
            jsPubOptions_Init(&options)
            var acknowledgement: UnsafeMutablePointer<jsPubAck>?
            var code = jsErrCode(0)
            let bytes = Array(body.utf8)
            var message: OpaquePointer?
            _ = bytes.withUnsafeBytes { natsMsg_Create(&message, subject, nil, $0.baseAddress, Int32($0.count)) }
            defer { natsMsg_Destroy(message) }
            for (name, value) in headers { natsMsgHeader_Set(message, name, value) }
            let status = id.withCString { idPointer in
                options.MsgId = idPointer
                return js_PublishMsg(&acknowledgement, jetStream, message, &options, &code)
            }
            jsPubAck_Destroy(acknowledgement)
            guard status == NATS_OK else {
                throw NATSTestError("publishing to \(subject): \(String(cString: natsStatus_GetText(status)))")
            }
        }
    }

    /// How many messages the stream holds.
    public func messageCount(stream: String) throws -> UInt64 {
        try withJetStream { jetStream in
            var info: UnsafeMutablePointer<jsStreamInfo>?
            var code = jsErrCode(0)
            let status = js_GetStreamInfo(&info, jetStream, stream, nil, &code)
            defer { jsStreamInfo_Destroy(info) }
            guard status == NATS_OK, let info else {
                throw NATSTestError(
                    "reading stream \(stream): \(String(cString: natsStatus_GetText(status)))")
            }
            return info.pointee.State.Msgs
        }
    }

    func withJetStream<Result>(_ body: (OpaquePointer?) throws -> Result) throws -> Result {
        var connection: OpaquePointer?
        let status = natsConnection_ConnectTo(&connection, url)
        guard status == NATS_OK else {
            throw NATSTestError("connecting to \(url): \(String(cString: natsStatus_GetText(status)))")
        }
        defer { natsConnection_Destroy(connection) }
        var jetStream: OpaquePointer?
        guard natsConnection_JetStream(&jetStream, connection, nil) == NATS_OK else {
            throw NATSTestError("\(url) offers no JetStream")
        }
        defer { jsCtx_Destroy(jetStream) }
        return try body(jetStream)
    }

    static func freePort() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0
            }
        }
        guard bound else { throw NATSTestError("cannot find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func accepts(port: Int) -> Bool {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}

/// Why the test NATS server could not do what a test asked.
public struct NATSTestError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
