import TraceLedger

#if canImport(Glibc)
    import Glibc
#endif

/// Reads an NDJSON workload file in 4 MiB chunks and hands out decoded, validated events in batches, so the
/// benchmark's memory stays flat however many events it loads.
///
/// Every store is fed the same `ProposedEvent`s; decoding is timed separately from appending.
/// Not Sendable: it owns a read buffer and a file descriptor.
final class EventBatchReader {
    private let descriptor: Int32
    private let decoder = EventDecoder()
    private var buffer: [UInt8] = []
    private var start = 0
    private var endOfFile = false
    private var lineNumber = 0
    /// Seconds spent decoding and validating, over every batch so far.
    private(set) var decodeSeconds = 0.0
    private(set) var decodedEvents = 0

    init(path: String) throws {
        descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw BenchError("cannot open \(path): \(String(cString: strerror(errno)))")
        }
    }

    deinit { close(descriptor) }

    /// Up to `count` events; fewer only at the end of the file, none after it.
    func next(_ count: Int) throws -> [ProposedEvent] {
        var events: [ProposedEvent] = []
        events.reserveCapacity(count)
        while events.count < count {
            guard let newline = nextNewline() else {
                if endOfFile { break }
                try fill()
                continue
            }
            lineNumber += 1
            let begin = start
            start = newline + 1
            guard newline > begin else { continue }
            let started = monotonicNanoseconds()
            let event: ProposedEvent
            do {
                event = try buffer.withUnsafeBytes {
                    try decoder.decode(UnsafeRawBufferPointer(rebasing: $0[begin..<newline]))
                }
            } catch {
                throw BenchError("line \(lineNumber) of the workload does not decode: \(error)")
            }
            decodeSeconds += Double(monotonicNanoseconds() - started) / 1e9
            decodedEvents += 1
            events.append(event)
        }
        return events
    }

    private func nextNewline() -> Int? {
        var index = start
        while index < buffer.count {
            if buffer[index] == 0x0A { return index }
            index += 1
        }
        return nil
    }

    private func fill() throws {
        if start > 0 {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        let chunk = 4 << 20
        let old = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: chunk))
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + old, chunk) }
        guard count >= 0 else {
            throw BenchError("reading the workload failed: \(String(cString: strerror(errno)))")
        }
        buffer.removeSubrange((old + count)...)
        if count == 0 { endOfFile = true }
    }
}
