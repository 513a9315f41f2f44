import CZstd

/// A trained zstd dictionary, prepared once for compression and decompression.
///
/// Sendable: zstd's digested dictionaries are read-only after creation and may be shared by any number of
/// contexts on any threads; this class never mutates them.
public final class ZstdDictionary: @unchecked Sendable {
    /// The raw dictionary bytes (what is stored and what training produced).
    public let bytes: [UInt8]
    /// The dictionary id zstd writes into frames compressed with it.
    public let id: UInt32
    let compression: OpaquePointer
    let decompression: OpaquePointer

    /// Prepares `bytes` for compression at `level` and for decompression.
    ///
    /// - Throws: `ZstdError` when the bytes are not a usable dictionary.
    public init(bytes: [UInt8], level: Int32 = 3) throws(ZstdError) {
        guard !bytes.isEmpty else { throw ZstdError(message: "an empty zstd dictionary cannot be used") }
        let prepared = bytes.withUnsafeBytes { raw in
            (
                ZSTD_createCDict(raw.baseAddress, raw.count, level),
                ZSTD_createDDict(raw.baseAddress, raw.count)
            )
        }
        guard let c = prepared.0, let d = prepared.1 else {
            if let c = prepared.0 { ZSTD_freeCDict(c) }
            if let d = prepared.1 { ZSTD_freeDDict(d) }
            throw ZstdError(message: "zstd could not load a dictionary of \(bytes.count) bytes")
        }
        self.bytes = bytes
        self.compression = c
        self.decompression = d
        self.id = bytes.withUnsafeBytes { UInt32(ZDICT_getDictID($0.baseAddress, $0.count)) }
    }

    deinit {
        ZSTD_freeCDict(compression)
        ZSTD_freeDDict(decompression)
    }

    /// Trains a dictionary of at most `capacity` bytes from sample inputs (each sample one record's bytes).
    ///
    /// zstd needs enough material: a few hundred samples, totalling about 100× `capacity`, work well.
    /// - Throws: `ZstdError` when the samples are too few or too uniform to train from.
    public static func train(samples: [[UInt8]], capacity: Int = 16 * 1024) throws(ZstdError) -> [UInt8] {
        guard samples.count >= 8 else {
            throw ZstdError(message: "training a dictionary needs at least 8 samples, got \(samples.count)")
        }
        var joined: [UInt8] = []
        joined.reserveCapacity(samples.reduce(0) { $0 + $1.count })
        var sizes: [Int] = []
        sizes.reserveCapacity(samples.count)
        for sample in samples {
            joined.append(contentsOf: sample)
            sizes.append(sample.count)
        }
        var dictionary = [UInt8](repeating: 0, count: capacity)
        let size = dictionary.withUnsafeMutableBytes { out in
            joined.withUnsafeBytes { input in
                ZDICT_trainFromBuffer(
                    out.baseAddress, out.count, input.baseAddress, sizes, UInt32(sizes.count))
            }
        }
        if ZDICT_isError(size) != 0 {
            let name = String(cString: ZDICT_getErrorName(size))
            throw ZstdError(
                code: size, message: "training a zstd dictionary from \(samples.count) samples: \(name)")
        }
        return Array(dictionary[0..<size])
    }
}
