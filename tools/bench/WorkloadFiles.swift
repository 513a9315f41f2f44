import Foundation
import TraceLedgerWorkload

/// The benchmark's input on disk: the seeded workload as NDJSON, written once and read by every store.
///
/// `main` holds the first `events` events (what the bulk appends and the import load); `extra` holds the
/// events after them, for the batch-1 appends and the concurrent appenders, so no event is appended twice.
struct WorkloadFiles {
    let main: String
    let extra: String

    /// Writes `events` + `extraEvents` events of the workload with `seed` into `directory`.
    static func write(seed: UInt64, events: Int, extraEvents: Int, in directory: String) throws
        -> WorkloadFiles
    {
        let files = WorkloadFiles(main: directory + "/events.ndjson", extra: directory + "/extra.ndjson")
        var configuration = WorkloadConfiguration.realistic
        configuration.seed = seed
        var iterator = WorkloadGenerator(configuration).makeIterator()
        for (path, count) in [(files.main, events), (files.extra, extraEvents)] {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw BenchError("cannot create \(path)")
            }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            var buffer: [UInt8] = []
            buffer.reserveCapacity(1 << 20)
            for _ in 0..<count {
                guard let event = iterator.next() else { throw BenchError("the workload ended early") }
                buffer.append(contentsOf: event.line.utf8)
                buffer.append(0x0A)
                if buffer.count >= 1 << 20 {
                    try handle.write(contentsOf: buffer)
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            try handle.write(contentsOf: buffer)
            try handle.close()
        }
        return files
    }
}

/// A failure of the benchmark itself (not of a store under test), with what to do about it.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
