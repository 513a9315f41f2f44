import CZstd

/// Compresses and decompresses small buffers, reusing its zstd contexts between calls.
///
/// Frames carry no checksum (4 bytes per small record would be 4% of it): a damaged frame header is an error,
/// but damaged literals may decompress to wrong bytes, so callers that need integrity check it themselves
/// (the ledger's hash chain does). Not Sendable: zstd contexts hold per-call state. Keep one per thread (or per writer) and reuse it;
/// creating contexts is far more expensive than compressing a few hundred bytes.
public final class ZstdCodec {
    private let compressionContext: OpaquePointer
    private let decompressionContext: OpaquePointer
    /// The compression level used without a dictionary (a dictionary carries its own).
    public let level: Int32

    public init(level: Int32 = 3) {
        self.level = level
        self.compressionContext = ZSTD_createCCtx()!
        self.decompressionContext = ZSTD_createDCtx()!
    }

    deinit {
        ZSTD_freeCCtx(compressionContext)
        ZSTD_freeDCtx(decompressionContext)
    }

    /// Appends the compressed form of `input` to `output`, using `dictionary` when given.
    public func compress(
        _ input: UnsafeRawBufferPointer, dictionary: ZstdDictionary? = nil, appendingTo output: inout [UInt8]
    ) throws(ZstdError) {
        let bound = ZSTD_compressBound(input.count)
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: bound))
        let written = output.withUnsafeMutableBytes { out in
            let destination = out.baseAddress! + start
            if let dictionary {
                return ZSTD_compress_usingCDict(
                    compressionContext, destination, bound, input.baseAddress, input.count,
                    dictionary.compression)
            }
            return ZSTD_compressCCtx(
                compressionContext, destination, bound, input.baseAddress, input.count, level)
        }
        do throws(ZstdError) {
            let size = try checked(written, "compressing \(input.count) bytes")
            output.removeLast(bound - size)
        } catch {
            output.removeLast(bound)
            throw error
        }
    }

    /// Decompresses a frame whose content is exactly `originalSize` bytes, appending them to `output`.
    ///
    /// - Throws: `ZstdError` when the frame is corrupt, needs another dictionary, or is not `originalSize` long.
    public func decompress(
        _ input: UnsafeRawBufferPointer, originalSize: Int, dictionary: ZstdDictionary? = nil,
        appendingTo output: inout [UInt8]
    ) throws(ZstdError) {
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: originalSize))
        let result = output.withUnsafeMutableBytes { out in
            Result { () throws(ZstdError) in
                try decompress(
                    input, into: UnsafeMutableRawBufferPointer(rebasing: out[start...]),
                    originalSize: originalSize,
                    dictionary: dictionary)
            }
        }
        if case .failure(let error) = result {
            output.removeLast(originalSize)
            throw error
        }
    }

    /// Decompresses a frame whose content is exactly `originalSize` bytes into the start of `output`, which
    /// must hold at least that many: no allocation, for callers that reuse one buffer.
    ///
    /// - Throws: `ZstdError` when the frame is corrupt, needs another dictionary, or is not `originalSize` long.
    public func decompress(
        _ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer, originalSize: Int,
        dictionary: ZstdDictionary? = nil
    ) throws(ZstdError) {
        precondition(output.count >= originalSize, "the output buffer is smaller than the frame's content")
        let written =
            if let dictionary {
                ZSTD_decompress_usingDDict(
                    decompressionContext, output.baseAddress, originalSize, input.baseAddress, input.count,
                    dictionary.decompression)
            } else {
                ZSTD_decompressDCtx(
                    decompressionContext, output.baseAddress, originalSize, input.baseAddress, input.count)
            }
        let size = try checked(written, "decompressing \(input.count) bytes")
        guard size == originalSize else {
            throw ZstdError(message: "decompressed \(size) bytes where \(originalSize) were expected")
        }
    }
}
