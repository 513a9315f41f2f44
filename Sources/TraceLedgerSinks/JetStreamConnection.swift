import CNATS
import Foundation
import TraceLedger

/// A connection to NATS with its JetStream context, opened from `nats://HOST:PORT/SUBJECT`: what the sink
/// that publishes and the reader that mirrors share. It reconnects for ever (to the server given or any
/// other member of its cluster it learnt of), 250 ms apart.
struct JetStreamConnection {
    let connection: OpaquePointer?
    let jetStream: OpaquePointer?
    /// `nats://HOST:PORT`.
    let server: String
    let subject: String

    /// - Parameter role: what the URL names, for the error ("a NATS sink", "a stream").
    init(url: String, role: String, retryFirstConnect: Bool) throws {
        guard let components = URLComponents(string: url), components.scheme == "nats", let host = components.host,
            components.path.count > 1
        else {
            throw LedgerError(.invalidArgument, "\(url) is not \(role): write nats://HOST:PORT/SUBJECT")
        }
        subject = String(components.path.dropFirst())
        server = "nats://\(host):\(components.port ?? 4222)"
        var options: OpaquePointer?
        natsOptions_Create(&options)
        defer { natsOptions_Destroy(options) }
        natsOptions_SetURL(options, server)
        natsOptions_SetMaxReconnect(options, -1)
        natsOptions_SetReconnectWait(options, 250)
        if retryFirstConnect { natsOptions_SetRetryOnFailedConnect(options, true, nil, nil) }
        var connection: OpaquePointer?
        let status = natsConnection_Connect(&connection, options)
        guard status == NATS_OK else {
            throw LedgerError(
                .unavailable, "cannot connect to NATS at \(server): \(String(cString: natsStatus_GetText(status)))")
        }
        var jetStream: OpaquePointer?
        let jsStatus = natsConnection_JetStream(&jetStream, connection, nil)
        guard jsStatus == NATS_OK else {
            natsConnection_Destroy(connection)
            throw LedgerError(
                .unavailable, "NATS at \(server) offers no JetStream: \(String(cString: natsStatus_GetText(jsStatus)))")
        }
        self.connection = connection
        self.jetStream = jetStream
    }

    /// Closes the JetStream context and the connection.
    func close() {
        jsCtx_Destroy(jetStream)
        natsConnection_Destroy(connection)
    }
}
