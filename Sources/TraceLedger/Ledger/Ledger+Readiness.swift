import LMDBKit

/// Whether the store can take writes now, and why not.
///
/// Sendable: plain values.
public struct Readiness: Sendable, Equatable {
    /// What stands in the way, in words; empty when ready.
    public let problems: [String]
    /// Bytes free on the store's file system, when they could be read.
    public let freeDiskBytes: UInt64?
    /// How much of the LMDB map is in use (0…1).
    public let mapUsedFraction: Double

    public var isReady: Bool { problems.isEmpty }
}

extension Ledger {
    /// Free disk below this makes the store not ready: a commit could fail.
    static let minimumFreeDiskBytes: UInt64 = 64 << 20

    /// Whether the writer is running and neither the disk nor the map is nearly full.
    public func readiness() -> Readiness {
        var problems: [String] = []
        if !writer.isRunning { problems.append("the store is closed") }
        let free = FreeSpace.bytes(at: path)
        if let free, free < Self.minimumFreeDiskBytes {
            problems.append("the disk holding \(path) has \(free) bytes free; free space")
        }
        let info = environment.info()
        let used = Double(info.usedBytes) / Double(max(1, info.mapSize))
        if used > 0.95 { problems.append("the LMDB map is \(Int(used * 100))% full") }
        return Readiness(problems: problems, freeDiskBytes: free, mapUsedFraction: used)
    }
}
