import TraceLedger

/// The traces and streams the lookups ask for, picked at random from the loaded events.
struct LookupSamples {
    var traces: [String] = []
    var streams: [StreamKey] = []
}

/// What the bulk load measured.
struct BulkLoad {
    /// Seconds inside `append` only, per store, in the order the stores were given.
    var seconds: [Double]
    var events: Int
    var samples: LookupSamples
    var decodeEventsPerSecond: Double
}

/// The measures every store goes through, on the same events.
enum StorePhases {
    /// Loads `file` into every store: each decoded chunk of 10,000 events goes to every store in turn, split into
    /// that store's batch size, so decoding happens once and only the appends are timed.
    static func bulkLoad(
        file: String, stores: [(store: any BenchStore, batchSize: Int)], sampleCount: Int,
        expectedEvents: Int,
        seed: UInt64, progress: (Int) -> Void
    ) async throws -> BulkLoad {
        let reader = try EventBatchReader(path: file)
        var seconds = [Double](repeating: 0, count: stores.count)
        var random = SampleRandom(seed: seed)
        var samples = LookupSamples()
        var loaded = 0
        while true {
            let chunk = try reader.next(10_000)
            if chunk.isEmpty { break }
            for event in chunk {
                // Each event is picked with probability sampleCount / expectedEvents: random traces and streams.
                if random.next(below: expectedEvents) < sampleCount {
                    samples.traces.append(event.content.traceId)
                }
                if random.next(below: expectedEvents) < sampleCount {
                    samples.streams.append(event.content.streamKey)
                }
            }
            for (index, entry) in stores.enumerated() {
                for start in stride(from: 0, to: chunk.count, by: entry.batchSize) {
                    let batch = Array(chunk[start..<min(chunk.count, start + entry.batchSize)])
                    let started = monotonicNanoseconds()
                    try await entry.store.append(batch)
                    seconds[index] += Double(monotonicNanoseconds() - started) / 1e9
                }
            }
            loaded += chunk.count
            progress(loaded)
        }
        return BulkLoad(
            seconds: seconds, events: loaded, samples: samples,
            decodeEventsPerSecond: Double(reader.decodedEvents) / max(reader.decodeSeconds, 1e-9))
    }

    /// Appends `events` one per durable commit and returns the rate and each commit's latency.
    static func singleAppends(_ events: [ProposedEvent], into store: any BenchStore) async throws
        -> (eventsPerSecond: Double, latencies: LatencySample)
    {
        var latencies = LatencySample(capacity: events.count)
        let started = monotonicNanoseconds()
        for event in events {
            let before = monotonicNanoseconds()
            try await store.append([event])
            latencies.record(monotonicNanoseconds() - before)
        }
        let seconds = Double(monotonicNanoseconds() - started) / 1e9
        return (Double(events.count) / seconds, latencies)
    }

    /// What one store answered for the samples, with the latencies of the answers.
    struct LookupAnswers {
        var traces: [[EventID]] = []
        var streams: [[EventID]] = []
        var traceLatencies = LatencySample()
        var streamLatencies = LatencySample()
        /// What the full scan read (`ScanDigest`), when the store was scanned.
        var scan: ScanDigest?
    }

    /// Looks up every sampled trace and stream (whole, decoded), timing each.
    static func lookups(_ samples: LookupSamples, in store: any BenchStore) throws -> LookupAnswers {
        var answers = LookupAnswers()
        // A short warm-up, so the first lookups do not pay for lazily opened codecs and dictionaries.
        for trace in samples.traces.prefix(20) { _ = try store.eventIds(forTrace: trace) }
        for trace in samples.traces {
            let before = monotonicNanoseconds()
            let ids = try store.eventIds(forTrace: trace)
            answers.traceLatencies.record(monotonicNanoseconds() - before)
            answers.traces.append(ids)
        }
        for stream in samples.streams {
            let before = monotonicNanoseconds()
            let ids = try store.eventIds(forStream: stream)
            answers.streamLatencies.record(monotonicNanoseconds() - before)
            answers.streams.append(ids)
        }
        return answers
    }

    /// Scans the whole store, decoding every event; returns what it read and the rate.
    static func scan(_ store: any BenchStore) throws -> (digest: ScanDigest, eventsPerSecond: Double) {
        let started = monotonicNanoseconds()
        let digest = try store.scanAll()
        let seconds = Double(monotonicNanoseconds() - started) / 1e9
        return (digest, Double(digest.events) / seconds)
    }

    /// Checks that every store answered the same; returns a description of each disagreement.
    static func disagreements(counts: [String: Int], answers: [String: LookupAnswers], samples: LookupSamples)
        -> [String]
    {
        var problems: [String] = []
        if Set(counts.values).count > 1 { problems.append("event counts differ: \(counts)") }
        guard let reference = answers["TraceLedger"] else { return ["TraceLedger gave no answers"] }
        for (name, other) in answers where name != "TraceLedger" {
            if other.scan != reference.scan {
                problems.append(
                    "full scan: TraceLedger read \(reference.scan.map(String.init(describing:)) ?? "nothing"), \(name) "
                        + (other.scan.map(String.init(describing:)) ?? "nothing"))
            }
            for (index, trace) in samples.traces.enumerated()
            where other.traces[index] != reference.traces[index] {
                problems.append(
                    "trace \(trace): TraceLedger has \(reference.traces[index].count) events, \(name) "
                        + "\(other.traces[index].count) (or another order)")
            }
            for (index, stream) in samples.streams.enumerated()
            where other.streams[index] != reference.streams[index] {
                problems.append(
                    "stream \(stream): TraceLedger has \(reference.streams[index].count) events, \(name) "
                        + "\(other.streams[index].count) (or another order)")
            }
        }
        return problems
    }
}
