import Foundation
import NIOCore
import TraceLedger

extension BenchRun {
    /// `--http`: loads `count` events into a TraceLedger store (batches of 1000), then measures it through the
    /// HTTP server in this process (`HTTPPhases`).
    func httpRun(events count: Int, root: String, results: inout BenchResults) async throws {
        let plan = HTTPPhases.Plan()
        let extra = 2 * plan.appendEvents + plan.liveEvents
        log("generating \(count) + \(extra) events (seed \(seed))")
        let files = try WorkloadFiles.write(seed: seed, events: count, extraEvents: extra, in: root)
        let store = try TraceLedgerStore(path: root + "/http/traceledger")
        log("loading \(count) events into TraceLedger (batches of 1000)")
        let reader = try EventBatchReader(path: files.main)
        while true {
            let chunk = try reader.next(10_000)
            if chunk.isEmpty { break }
            let batches = stride(from: 0, to: chunk.count, by: 1000).map {
                Array(chunk[$0..<min(chunk.count, $0 + 1000)])
            }
            for result in await store.ledger.append(batches: batches) { _ = try result.get() }
        }
        guard try store.count() == count else {
            throw BenchError("the store holds \(try store.count()) events, not \(count)")
        }

        let anonymousBeforeInputs = try ProcessMemory.anonymousResidentBytes()
        let lines = try Self.lines(of: files.extra)
        guard lines.count == extra else { throw BenchError("\(files.extra) holds \(lines.count) events") }
        let decoder = EventDecoder()
        func decoded(_ range: Range<Int>) throws -> [ProposedEvent] {
            try lines[range].map { line in try line.withUnsafeBytes { try decoder.decode($0) } }
        }
        let inputs = HTTPPhases.Inputs(
            bodies: lines[0..<plan.appendEvents].map { ByteBuffer(bytes: $0) },
            appendEvents: try decoded(plan.appendEvents..<(2 * plan.appendEvents)),
            liveEvents: try decoded((2 * plan.appendEvents)..<extra))
        var figures = try await HTTPPhases.run(plan, inputs: inputs, ledger: store.ledger)
        figures.anonymousBeforeInputsBytes = anonymousBeforeInputs
        for problem in figures.problems { log("PROBLEM: \(problem)") }
        results.http = figures
        results.consistent = figures.problems.isEmpty && figures.subscribersComplete == plan.subscribers
    }

    /// The non-empty lines of an NDJSON file, as bytes.
    private static func lines(of path: String) throws -> [[UInt8]] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return data.split(separator: 0x0A).map { Array($0) }
    }
}
