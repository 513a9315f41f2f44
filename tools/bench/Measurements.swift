import Dispatch
import Foundation

/// Monotonic time in nanoseconds, for timing phases and single calls.
func monotonicNanoseconds() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

/// Runs `body` and returns how long it took, in seconds.
func measureSeconds(_ body: () throws -> Void) rethrows -> Double {
    let start = monotonicNanoseconds()
    try body()
    return Double(monotonicNanoseconds() - start) / 1e9
}

/// Latencies of many calls, summarised as percentiles in microseconds.
struct LatencySample {
    private(set) var nanoseconds: [UInt64] = []

    init(capacity: Int = 0) { nanoseconds.reserveCapacity(capacity) }

    mutating func record(_ value: UInt64) { nanoseconds.append(value) }

    mutating func merge(_ other: LatencySample) { nanoseconds.append(contentsOf: other.nanoseconds) }

    var count: Int { nanoseconds.count }

    /// The `fraction` percentile (0.5 for p50) in microseconds, by nearest rank.
    func percentileMicroseconds(_ fraction: Double) -> Double {
        guard !nanoseconds.isEmpty else { return 0 }
        let sorted = nanoseconds.sorted()
        let rank = min(sorted.count - 1, max(0, Int((fraction * Double(sorted.count)).rounded(.up)) - 1))
        return Double(sorted[rank]) / 1000
    }

    var p50: Double { percentileMicroseconds(0.50) }
    var p99: Double { percentileMicroseconds(0.99) }
}

/// What this process (or a finished child) used at its peak, read from /proc (Linux).
enum ProcessMemory {
    /// The peak resident set size of this process in bytes (`VmHWM`; Linux only).
    static func peakResidentBytes() throws -> Int {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let digits = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
            return digits * 1024
        }
        return 0
    }
}

extension ProcessMemory {
    /// This process's current anonymous resident memory in bytes (`RssAnon`: heap, stacks; not mapped files).
    static func anonymousResidentBytes() throws -> Int {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        for line in status.split(separator: "\n") where line.hasPrefix("RssAnon:") {
            return (line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0) * 1024
        }
        return 0
    }
}

/// Samples `RssAnon` every 20 ms on its own thread and keeps the peak: the kernel keeps no peak of it.
///
/// Sendable: the peak, the stop flag and the first read error are guarded by a lock.
final class AnonymousMemorySampler: @unchecked Sendable {
    private let lock = NSLock()
    private var peak = 0
    private var stopped = false
    private var failure: (any Error)?
    private let finished = DispatchSemaphore(value: 0)

    func start() {
        Thread { [self] in
            while true {
                do {
                    let bytes = try ProcessMemory.anonymousResidentBytes()
                    lock.withLock { peak = max(peak, bytes) }
                } catch {
                    lock.withLock { failure = failure ?? error }
                }
                if lock.withLock({ stopped }) { break }
                usleep(20_000)
            }
            finished.signal()
        }.start()
    }

    /// Stops sampling and returns the peak.
    func stop() throws -> Int {
        lock.withLock { stopped = true }
        finished.wait()
        return try lock.withLock {
            if let failure { throw failure }
            return peak
        }
    }
}

/// Bytes of every regular file in a directory: what a store takes on disk.
func directoryBytes(_ path: String) throws -> Int {
    let files = FileManager.default
    var total = 0
    for name in try files.contentsOfDirectory(atPath: path) {
        let attributes = try files.attributesOfItem(atPath: path + "/" + name)
        total += (attributes[.size] as? NSNumber)?.intValue ?? 0
    }
    return total
}

/// A small deterministic generator for picking sample traces and streams (SplitMix64).
struct SampleRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next(below bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Int(z % UInt64(bound))
    }
}
