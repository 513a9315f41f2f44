import Foundation

/// Prints each event (its envelope, or a CloudEvent) as one NDJSON line on standard output.
///
/// Sendable: an actor serialises the writes of concurrent lanes.
public actor StandardOutputSink: ReplaySink {
    public nonisolated var description: String { "stdout" }

    private let format: DeliveryFormat

    public init(format: DeliveryFormat = .envelope) { self.format = format }

    public func deliver(_ events: [RecordedEvent]) async throws(DeliveryFailure) {
        var out: [UInt8] = []
        for event in events {
            format.appendJSON(of: event, to: &out)
            out.append(0x0A)
        }
        FileHandle.standardOutput.write(Data(out))
    }

    public func flush() async throws(DeliveryFailure) {}

    public func close() async {}
}
