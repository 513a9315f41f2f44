import Foundation

/// Prints each event's envelope as one NDJSON line on standard output.
///
/// Sendable: an actor serialises the writes of concurrent lanes.
public actor StandardOutputSink: ReplaySink {
    public nonisolated var description: String { "stdout" }

    public init() {}

    public func deliver(_ events: [RecordedEvent]) async throws(DeliveryFailure) {
        var text = ""
        for event in events {
            text += event.envelopeJSON()
            text += "\n"
        }
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    public func flush() async throws(DeliveryFailure) {}

    public func close() async {}
}
