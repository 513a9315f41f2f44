import ZstdKit

/// Turns canonical bodies into stored records and back.
///
/// A record is a fixed header — format (2), flags (bit 0: body compressed; bit 1: payload erased, the body
/// then holds the erasure's tombstone in its place, and the hash is the original's), dictionary id (u32 BE, 0 = none),
/// recordedAt (i64 BE), hash (32) — then the body length as a varint and the body, zstd-compressed when that
/// makes it smaller. Format 2 stores zstd's compact frame (no magic number, dictionary id or content size: the
/// header holds all three); format 1 stored the standard frame, and is still read, for `traceledger migrate`.
/// Not Sendable: it reuses its zstd contexts; keep one per thread (see `RecordCodecPool`).
final class RecordCodec {
    static let formatVersion: UInt8 = 2
    /// The record format of store format 1, read only to migrate such a store.
    static let firstFormatVersion: UInt8 = 1
    static let headerSize = 46
    private static let compressedFlag: UInt8 = 1
    private static let erasedFlag: UInt8 = 2

    private let zstd = ZstdCodec(level: 3, frame: .compact)
    /// Reads format 1's standard frames; made the first time one is read.
    private lazy var firstFormatZstd = ZstdCodec(level: 3)

    /// The stored form of an event whose canonical body is `body`.
    func encode(
        body: [UInt8], recordedAt: Timestamp, hash: ChainHash, dictionary: ZstdDictionary?,
        erased: Bool = false
    ) throws -> [UInt8] {
        var record: [UInt8] = []
        try encode(
            body: body, recordedAt: recordedAt, hash: hash, dictionary: dictionary, erased: erased,
            into: &record)
        return record
    }

    /// The same into `record`, replacing what it held (the appender's buffer, reused from event to event).
    func encode(
        body: [UInt8], recordedAt: Timestamp, hash: ChainHash, dictionary: ZstdDictionary?,
        erased: Bool = false,
        into record: inout [UInt8]
    ) throws {
        var writer = ByteWriter(reusing: &record)
        defer { writer.finish(into: &record) }
        writer.bytes.reserveCapacity(RecordCodec.headerSize + 10 + body.count)
        writer.bytes.append(RecordCodec.formatVersion)
        let flagsIndex = writer.bytes.count
        let erasure = erased ? RecordCodec.erasedFlag : 0
        writer.bytes.append(RecordCodec.compressedFlag | erasure)
        writer.append(dictionary?.id ?? 0)
        writer.append(recordedAt.nanosecondsSinceEpoch)
        hash.withUnsafeBytes { writer.bytes.append(contentsOf: $0) }
        writer.appendVarint(body.count)
        let bodyStart = writer.bytes.count
        do {
            try body.withUnsafeBytes {
                try zstd.compress($0, dictionary: dictionary, appendingTo: &writer.bytes)
            }
        } catch {
            throw LedgerError(.storage, "compressing an event failed: \(error)")
        }
        if writer.bytes.count - bodyStart >= body.count {
            writer.bytes.removeSubrange(bodyStart...)
            writer.bytes.append(contentsOf: body)
            writer.bytes[flagsIndex] = erasure
            writer.bytes.replaceSubrange(2..<6, with: [0, 0, 0, 0])
        }
    }

    /// The header fields of a stored record (what is not the canonical body).
    struct Header {
        var recordedAt: Timestamp
        var hash: ChainHash
        var erased: Bool
        /// The dictionary the body was compressed with, 0 for none.
        var dictionaryId: UInt32
    }

    /// Decompression output, reused from record to record (grown to the largest body seen).
    private var scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)
    /// The dictionary of the last compressed record, which is nearly always the next one's.
    private var lastDictionary: ZstdDictionary?

    deinit { scratch.deallocate() }

    /// Calls `body` with the header fields and the uncompressed canonical body of a stored record. The body
    /// is valid only during the call: it is the codec's buffer, reused by the next record, or the record itself.
    func withDecoded<Result>(
        _ record: UnsafeRawBufferPointer, dictionary: (UInt32) throws -> ZstdDictionary,
        _ body: (Header, UnsafeRawBufferPointer) throws -> Result
    ) throws -> Result {
        var reader = ByteReader(record)
        let version = try reader.byte()
        guard version == RecordCodec.formatVersion || version == RecordCodec.firstFormatVersion else {
            throw LedgerError(.corrupted, "a record has format \(version), which this build does not know")
        }
        let flags = try reader.byte()
        let dictionaryId = try reader.uint32()
        let header = Header(
            recordedAt: Timestamp(nanosecondsSinceEpoch: try reader.int64()),
            hash: ChainHash(copying: try reader.take(32)), erased: flags & RecordCodec.erasedFlag != 0,
            dictionaryId: dictionaryId)
        let length = try reader.varint()
        let stored = try reader.take(reader.remaining)
        guard flags & RecordCodec.compressedFlag != 0 else {
            guard stored.count == length else {
                throw LedgerError(.corrupted, "a record's body has the wrong length")
            }
            return try body(header, stored)
        }
        // No canonical body is larger than an event line: a larger length is a damaged record, not a buffer to grow.
        guard length <= EventLimits.maximumLineBytes * 2 else {
            throw LedgerError(.corrupted, "a record claims a body of \(length) bytes, more than any event")
        }
        if scratch.count < length {
            scratch.deallocate()
            scratch = UnsafeMutableRawBufferPointer.allocate(
                byteCount: max(length, scratch.count * 2), alignment: 8)
        }
        do {
            var compression: ZstdDictionary?
            if dictionaryId != 0 {
                if let last = lastDictionary, last.id == dictionaryId {
                    compression = last
                } else {
                    compression = try dictionary(dictionaryId)
                    lastDictionary = compression
                }
            }
            let frames = version == RecordCodec.formatVersion ? zstd : firstFormatZstd
            try frames.decompress(stored, into: scratch, originalSize: length, dictionary: compression)
        } catch let error as ZstdError {
            throw LedgerError(.corrupted, "a record's body cannot be decompressed: \(error)")
        }
        return try body(header, UnsafeRawBufferPointer(rebasing: scratch[..<length]))
    }

    /// The recordedAt of a stored record, read from its header without decompressing.
    static func recordedAt(of record: UnsafeRawBufferPointer) throws(LedgerError) -> Timestamp {
        var reader = ByteReader(record)
        _ = try reader.take(6)
        return Timestamp(nanosecondsSinceEpoch: try reader.int64())
    }

    /// How many bytes of a record are its compressed (or raw) body, for statistics.
    static func bodySizes(of record: UnsafeRawBufferPointer) throws(LedgerError) -> (
        stored: Int, original: Int
    ) {
        var reader = ByteReader(record)
        _ = try reader.take(RecordCodec.headerSize)
        let original = try reader.varint()
        return (reader.remaining, original)
    }
}
