import Foundation
import TraceLedger

/// `ledger-bench reads --only lookups`: the full run's trace and stream lookups and full scan on an existing store, and on a raw
/// LMDB store holding the same events when one is given, in alternating rounds, so the ratio of one build's two
/// stores can be profiled (`perf record -g`) and compared across builds without a full run.
enum LookupPhase {
    /// Traces and streams sampled from the store, about as many as the full run looks up.
    static let samples = 2_000

    /// The stores to look up in: TraceLedger's, and the raw LMDB floor's at `rawPath`, loaded from `workload` (the
    /// NDJSON file the store was imported from) the first time.
    static func stores(ledger: Ledger, rawPath: String?, workload: String?) async throws -> [any BenchStore] {
        var stores: [any BenchStore] = [TraceLedgerStore(opened: ledger)]
        guard let rawPath else { return stores }
        let raw = try RawLMDBStore(path: rawPath)
        if try raw.count() == 0 {
            guard let workload else {
                throw BenchError(
                    "\(rawPath) holds no events yet: give --workload, the NDJSON file the store was imported from"
                )
            }
            let reader = try EventBatchReader(path: workload)
            while case let batch = try reader.next(1_000), !batch.isEmpty { try await raw.append(batch) }
        }
        guard try raw.count() == Int(try ledger.head().position) else {
            throw BenchError(
                "\(rawPath) holds \(try raw.count()) events, the store \(try ledger.head().position)")
        }
        stores.append(raw)
        return stores
    }

    /// Traces and streams of events picked at random from the store (seed 42).
    static func sample(_ ledger: Ledger) throws -> LookupSamples {
        let count = Int(try ledger.head().position)
        var random = SampleRandom(seed: 42)
        var samples = LookupSamples()
        try ledger.forEachEvent(matching: EventQuery()) { event in
            if random.next(below: count) < Self.samples { samples.traces.append(event.content.traceId) }
            if random.next(below: count) < Self.samples { samples.streams.append(event.content.streamKey) }
            return true
        }
        return samples
    }

    /// One round of lookups and a full scan in each store; prints each store's figures, and TraceLedger's ratio to
    /// the others.
    static func measure(_ stores: [any BenchStore], samples: LookupSamples) throws {
        var answers: [String: StorePhases.LookupAnswers] = [:]
        var scans: [String: Double] = [:]
        for store in stores {
            answers[store.name] = try StorePhases.lookups(samples, in: store)
            let scan = try StorePhases.scan(store)
            answers[store.name]!.scan = scan.digest
            scans[store.name] = scan.eventsPerSecond
        }
        let problems = StorePhases.disagreements(
            counts: [:], answers: answers, samples: samples)
        guard problems.isEmpty else { throw BenchError(problems.prefix(5).joined(separator: "; ")) }
        let ledger = stores[0].name
        let line = stores.map { store in
            let trace = answers[store.name]!.traceLatencies
            let stream = answers[store.name]!.streamLatencies
            return "\(store.name): trace p50 \(format(trace.p50)) p99 \(format(trace.p99)) µs, history p50 "
                + "\(format(stream.p50)) p99 \(format(stream.p99)) µs, scan \(Int(scans[store.name]!)) events/s"
        }
        let ratios = stores.dropFirst().map { store in
            "trace p50 \(format(answers[ledger]!.traceLatencies.p50 / answers[store.name]!.traceLatencies.p50))×, "
                + "scan \(format(scans[ledger]! / scans[store.name]!))× \(store.name)"
        }
        print("lookups: " + (line + ratios).joined(separator: "; "))
    }

    private static func format(_ value: Double) -> String { String(format: "%.2f", value) }
}
