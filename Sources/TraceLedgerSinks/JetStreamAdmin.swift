import CNATS
import Foundation
public import TraceLedger

/// The one piece of JetStream administration the ledger does itself: creating the stream a primary's replay
/// publishes into and replicas read (`traceledger streams create`).
public enum JetStreamAdmin {
    /// Creates a file-backed stream named `name` capturing `subject`, kept on `replicas` servers, with no
    /// limit on age, count or size (a new replica starts from the first message) and a `duplicateWindow`
    /// within which JetStream drops a message whose `Nats-Msg-Id` it saw.
    ///
    /// - Throws: `LedgerError` `.unavailable` when NATS cannot be reached or JetStream refuses (it names why:
    ///   fewer servers than replicas, a name taken with another configuration).
    public static func createStream(
        at server: String, name: String, subject: String, replicas: Int = 1, duplicateWindow: Duration = .seconds(120)
    ) throws {
        var connection: OpaquePointer?
        let status = natsConnection_ConnectTo(&connection, server)
        guard status == NATS_OK else {
            throw LedgerError(
                .unavailable, "cannot connect to NATS at \(server): \(String(cString: natsStatus_GetText(status)))")
        }
        defer { natsConnection_Destroy(connection) }
        var jetStream: OpaquePointer?
        guard natsConnection_JetStream(&jetStream, connection, nil) == NATS_OK else {
            throw LedgerError(.unavailable, "NATS at \(server) offers no JetStream (start nats-server with -js)")
        }
        defer { jsCtx_Destroy(jetStream) }
        var config = jsStreamConfig()
        jsStreamConfig_Init(&config)
        var info: UnsafeMutablePointer<jsStreamInfo>?
        var code = jsErrCode(0)
        let created = name.withCString { namePointer in
            subject.withCString { subjectPointer in
                var subjects: [UnsafePointer<CChar>?] = [subjectPointer]
                return subjects.withUnsafeMutableBufferPointer { buffer in
                    config.Name = namePointer
                    config.Subjects = buffer.baseAddress
                    config.SubjectsLen = 1
                    config.Storage = js_FileStorage
                    config.Replicas = Int64(replicas)
                    config.Duplicates = duplicateWindow.components.seconds * 1_000_000_000
                    return js_AddStream(&info, jetStream, &config, nil, &code)
                }
            }
        }
        jsStreamInfo_Destroy(info)
        guard created == NATS_OK else {
            if code.rawValue == 10074 {  // JetStream's "replicas > 1 not supported in non-clustered mode"
                throw LedgerError(
                    .invalidArgument,
                    "\(server) runs JetStream on one server, so it keeps one copy: give --replicas 1, or run a "
                        + "cluster of at least \(replicas) servers (docs/scaling.md)")
            }
            throw LedgerError(
                .unavailable,
                "creating stream \(name) on \(server): \(String(cString: natsStatus_GetText(created))) "
                    + "(JetStream error \(code.rawValue))")
        }
    }
}
