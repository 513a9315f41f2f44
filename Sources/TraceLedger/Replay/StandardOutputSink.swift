import Foundation

/// Prints each event's envelope as one NDJSON line on standard output.
///
/// Sendable: an actor serialises the writes of concurrent lanes.
public actor StandardOutputSink: ReplaySink {
    public nonisolated var description: String { "stdout" }

    public init() {}

    public func deliver(_ events: [RecordedEvent]) async throws(DeliveryFailure) {
        var out: [UInt8] = []
        for event in events {
            event.appendEnvelopeJSON(to: &out)
            out.append(0x0A)
        }
        FileHandle.standardOutput.write(Data(out))
    }

    public func flush() async throws(DeliveryFailure) {}

    public func close() async {}
}
