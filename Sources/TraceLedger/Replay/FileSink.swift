import Foundation
import Glibc

/// Appends each event (its envelope, or a CloudEvent) as one NDJSON line to a file, fsynced before every
/// checkpoint.
///
/// Sendable: an actor owns the file descriptor and serialises the writes of concurrent lanes.
public actor FileSink: ReplaySink {
    public nonisolated let description: String
    private let descriptor: Int32
    private var pending: [UInt8] = []
    private let format: DeliveryFormat

    /// Opens (creating if needed) the file at `path` for appending.
    public init(path: String, format: DeliveryFormat = .envelope) throws {
        self.format = format
        descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw LedgerError(
                .storage, "cannot open \(path) for appending: \(String(cString: strerror(errno)))")
        }
        description = "file:" + path
    }

    deinit { Glibc.close(descriptor) }

    public func deliver(_ events: [RecordedEvent]) async throws(DeliveryFailure) {
        for event in events {
            format.appendJSON(of: event, to: &pending)
            pending.append(0x0A)
        }
        if pending.count >= 1 << 20 { try writePending() }
    }

    public func flush() async throws(DeliveryFailure) {
        try writePending()
        guard fsync(descriptor) == 0 else {
            throw DeliveryFailure(
                .transient, "fsync of \(description) failed: \(String(cString: strerror(errno)))")
        }
    }

    /// The replayer flushes (and reports failures) before it closes; the descriptor closes with the sink.
    public func close() async {}

    private func writePending() throws(DeliveryFailure) {
        var offset = 0
        while offset < pending.count {
            let written = pending.withUnsafeBytes {
                write(descriptor, $0.baseAddress! + offset, $0.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw DeliveryFailure(
                    .transient, "writing \(description) failed: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
        pending.removeAll(keepingCapacity: true)
    }
}
