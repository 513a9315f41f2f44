import CZstd

/// Compresses and decompresses small buffers, reusing its zstd contexts between calls.
///
/// Frames carry no checksum (4 bytes per small record would be 4% of it): a damaged frame header is an error,
/// but damaged literals may decompress to wrong bytes, so callers that need integrity check it themselves
/// (the ledger's hash chain does). Not Sendable: zstd contexts hold per-call state. Keep one per thread (or per writer) and reuse it;
/// creating contexts is far more expensive than compressing a few hundred bytes.
public final class ZstdCodec {
    /// How much of zstd's frame header the codec writes and expects.
    public enum Frame: Sendable {
        /// The standard frame: magic number, dictionary id and content size, readable by the `zstd` tool.
        case standard
        /// zstd's magicless frame without the dictionary id and the content size: 9 bytes less per frame, for
        /// callers that keep all three themselves (a record names its format, its dictionary and its length).
        case compact
    }

    private let compressionContext: OpaquePointer
    private let decompressionContext: OpaquePointer
    /// The compression level used without a dictionary (a dictionary carries its own).
    public let level: Int32
    public let frame: Frame

    public init(level: Int32 = 3, frame: Frame = .standard) {
        self.level = level
        self.frame = frame
        self.compressionContext = ZSTD_createCCtx()!
        self.decompressionContext = ZSTD_createDCtx()!
        if frame == .compact {
            // Parameters of the advanced API, sticky across frames; ZSTD_c_format and ZSTD_d_format are the
            // experimental parameters 2 and 1000 (the stable enum's names), ZSTD_f_zstd1_magicless is 1.
            ZSTD_CCtx_setParameter(compressionContext, ZSTD_c_experimentalParam2, 1)
            ZSTD_CCtx_setParameter(compressionContext, ZSTD_c_contentSizeFlag, 0)
            ZSTD_CCtx_setParameter(compressionContext, ZSTD_c_dictIDFlag, 0)
            ZSTD_CCtx_setParameter(compressionContext, ZSTD_c_checksumFlag, 0)
            ZSTD_DCtx_setParameter(decompressionContext, ZSTD_d_experimentalParam1, 1)
        }
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
            if frame == .compact {
                // The one-shot calls write the standard frame whatever the parameters: ZSTD_compress2 uses them.
                ZSTD_CCtx_refCDict(compressionContext, dictionary?.compression)
                if dictionary == nil {
                    ZSTD_CCtx_setParameter(compressionContext, ZSTD_c_compressionLevel, level)
                }
                return ZSTD_compress2(compressionContext, destination, bound, input.baseAddress, input.count)
            }
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
            if frame == .compact {
                decompressCompact(input, into: output, originalSize: originalSize, dictionary: dictionary)
            } else if let dictionary {
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

    /// ZSTD_decompressDCtx reads with the context's parameters (the magicless format) and its referenced
    /// dictionary; the one-shot dictionary call would expect the standard frame.
    private func decompressCompact(
        _ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer, originalSize: Int,
        dictionary: ZstdDictionary?
    ) -> Int {
        let referenced = ZSTD_DCtx_refDDict(decompressionContext, dictionary?.decompression)
        if ZSTD_isError(referenced) != 0 { return referenced }
        return ZSTD_decompressDCtx(
            decompressionContext, output.baseAddress, originalSize, input.baseAddress, input.count)
    }

    /// The content size a standard frame declares, or nil when it declares none or is not a frame.
    public static func contentSize(ofStandardFrame input: UnsafeRawBufferPointer) -> Int? {
        let size = ZSTD_getFrameContentSize(input.baseAddress, input.count)
        guard size != ZSTD_CONTENTSIZE_UNKNOWN, size != ZSTD_CONTENTSIZE_ERROR else { return nil }
        return Int(exactly: size)
    }
}
