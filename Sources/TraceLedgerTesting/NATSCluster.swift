import CNATS
public import Foundation

/// Three real `nats-server` processes forming a JetStream cluster on loopback, for the replica tests: an R3
/// stream lives on all three, and any one may be killed and restarted while the others keep it.
///
/// Sendable: it holds its servers, each restarted by one test at a time.
public final class NATSCluster: @unchecked Sendable {
    public let servers: [NATSServer]

    /// Starts three members and waits until they have elected a JetStream leader.
    public init() throws {
        let ports = try (0..<3).map { _ in try NATSServer.freePort() }
        let routes = try (0..<3).map { _ in try NATSServer.freePort() }
        servers = (0..<3).map {
            NATSServer(clusterMember: "n\($0 + 1)", port: ports[$0], clusterPort: routes[$0], routes: routes)
        }
        for server in servers { try server.start() }
    }

    /// Every member's client URL, comma-separated (as a NATS client takes a cluster).
    public var urls: String { servers.map(\.url).joined(separator: ",") }

    /// Creates an R3 file stream capturing `subject`, retrying while the cluster elects its leader.
    public func createStream(named name: String, subject: String) throws {
        let deadline = Date().addingTimeInterval(30)
        while true {
            do {
                return try servers[0].createStream(named: name, subject: subject, replicas: 3)
            } catch {
                if Date() > deadline { throw error }
                Thread.sleep(forTimeInterval: 0.25)
            }
        }
    }

    /// The member that leads `stream`, asked of the JetStream API through any member that answers, for up to
    /// `timeout` seconds: just after a member rejoined, the stream may be between leaders for a while.
    public func leader(of stream: String, timeout: TimeInterval = 30) -> NATSServer? {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            if let leader = currentLeader(of: stream) { return leader }
            Thread.sleep(forTimeInterval: 0.25)
        } while Date() < deadline
        return nil
    }

    private func currentLeader(of stream: String) -> NATSServer? {
        for server in servers {
            var connection: OpaquePointer?
            guard natsConnection_ConnectTo(&connection, server.url) == NATS_OK else { continue }
            defer { natsConnection_Destroy(connection) }
            var reply: OpaquePointer?
            guard
                natsConnection_Request(&reply, connection, "$JS.API.STREAM.INFO.\(stream)", nil, 0, 2000)
                    == NATS_OK,
                let reply
            else { continue }
            defer { natsMsg_Destroy(reply) }
            let text = String(
                decoding: UnsafeRawBufferPointer(
                    start: natsMsg_GetData(reply), count: Int(natsMsg_GetDataLength(reply))), as: UTF8.self)
            guard let range = text.range(of: #""leader":"[^"]+""#, options: .regularExpression) else {
                continue
            }
            let name = String(text[range].dropFirst(10).dropLast())
            return servers.first { $0.name == name }
        }
        return nil
    }
}
