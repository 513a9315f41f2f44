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
        /// The standard frame without its magic number, dictionary id and content size, for callers that keep
        /// all three themselves (a record names its format, its dictionary and its length): 4 bytes less, and
        /// the dictionary id's 1–4 and the content size's 1–8 less the window size's 1. These are the bytes of
        /// zstd's magicless format, made with its stable API only: the frame is written without the two fields
        /// and the magic number is cut off; on reading it is put back in front.
        case compact
    }

    /// zstd's magic number, as a frame starts with it.
    private static let magic: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD]

    private let compressionContext: OpaquePointer
    private let decompressionContext: OpaquePointer
    /// The compression level used without a dictionary (a dictionary carries its own).
    public let level: Int32
    public let frame: Frame
    /// A compact frame with its magic number put back, for the decompressor; grown to the largest frame.
    private var framed = UnsafeMutableRawBufferPointer.allocate(byteCount: 0, alignment: 8)

    public init(level: Int32 = 3, frame: Frame = .standard) {
        self.level = level
        self.frame = frame
        self.compressionContext = ZSTD_createCCtx()!
        self.decompressionContext = ZSTD_createDCtx()!
        if frame == .compact {
            // Parameters of the stable advanced API, kept across frames (ZSTD_compress2 uses them; the one-shot
            // calls would not). A context takes them whatever its state before its first frame.
            for (parameter, value) in [
                (ZSTD_c_compressionLevel, level), (ZSTD_c_contentSizeFlag, 0), (ZSTD_c_dictIDFlag, 0),
                (ZSTD_c_checksumFlag, 0),
            ] {
                precondition(
                    ZSTD_isError(ZSTD_CCtx_setParameter(compressionContext, parameter, value)) == 0,
                    "libzstd refused a compression parameter of the stable API")
            }
        }
    }

    deinit {
        ZSTD_freeCCtx(compressionContext)
        ZSTD_freeDCtx(decompressionContext)
        framed.deallocate()
    }

    /// Appends the compressed form of `input` to `output`, using `dictionary` when given.
    public func compress(
        _ input: UnsafeRawBufferPointer, dictionary: ZstdDictionary? = nil, appendingTo output: inout [UInt8]
    ) throws(ZstdError) {
        let bound = ZSTD_compressBound(input.count)
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: bound))
        do throws(ZstdError) {
            let made = output.withUnsafeMutableBytes { out in
                Result { () throws(ZstdError) -> Int in
                    try compress(input, dictionary, into: out.baseAddress! + start, bound)
                }
            }
            let size = try made.get()
            output.removeLast(bound - size)
            if frame == .compact { output.removeSubrange(start..<start + 4) }
        } catch {
            output.removeLast(output.count - start)
            throw error
        }
    }

    /// Writes the frame of `input` at `destination`, which holds `bound` bytes; returns its size.
    private func compress(
        _ input: UnsafeRawBufferPointer, _ dictionary: ZstdDictionary?,
        into destination: UnsafeMutableRawPointer,
        _ bound: Int
    ) throws(ZstdError) -> Int {
        switch frame {
        case .standard:
            let written =
                if let dictionary {
                    ZSTD_compress_usingCDict(
                        compressionContext, destination, bound, input.baseAddress, input.count,
                        dictionary.compression)
                } else {
                    ZSTD_compressCCtx(
                        compressionContext, destination, bound, input.baseAddress, input.count, level)
                }
            return try checked(written, "compressing \(input.count) bytes")
        case .compact:
            // A failed frame can leave the context mid-frame: reset it, then reference the dictionary
            // (none clears the last one), so the frame is made with the one the caller names.
            _ = try checked(
                ZSTD_CCtx_reset(compressionContext, ZSTD_reset_session_only), "resetting the compressor")
            _ = try checked(
                ZSTD_CCtx_refCDict(compressionContext, dictionary?.compression), "choosing the dictionary")
            let size = try checked(
                ZSTD_compress2(compressionContext, destination, bound, input.baseAddress, input.count),
                "compressing \(input.count) bytes")
            guard size > 4, UnsafeRawBufferPointer(start: destination, count: 4).elementsEqual(Self.magic)
            else {
                throw ZstdError(message: "libzstd wrote a frame without its magic number")
            }
            return size
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
        var source = input
        if frame == .compact {
            if framed.count < input.count + 4 {
                framed.deallocate()
                framed = UnsafeMutableRawBufferPointer.allocate(
                    byteCount: max(input.count + 4, 512), alignment: 8)
            }
            framed.copyBytes(from: Self.magic)
            UnsafeMutableRawBufferPointer(rebasing: framed[4...]).copyMemory(from: input)
            source = UnsafeRawBufferPointer(rebasing: framed[..<(input.count + 4)])
        }
        // A frame without a dictionary id is decompressed with the dictionary given, unchecked: the caller names it.
        let written =
            if let dictionary {
                ZSTD_decompress_usingDDict(
                    decompressionContext, output.baseAddress, originalSize, source.baseAddress, source.count,
                    dictionary.decompression)
            } else {
                ZSTD_decompressDCtx(
                    decompressionContext, output.baseAddress, originalSize, source.baseAddress, source.count)
            }
        let size = try checked(written, "decompressing \(input.count) bytes")
        guard size == originalSize else {
            throw ZstdError(message: "decompressed \(size) bytes where \(originalSize) were expected")
        }
    }

    /// The content size a standard frame declares, or nil when it declares none or is not a frame.
    public static func contentSize(ofStandardFrame input: UnsafeRawBufferPointer) -> Int? {
        let size = ZSTD_getFrameContentSize(input.baseAddress, input.count)
        guard size != ZSTD_CONTENTSIZE_UNKNOWN, size != ZSTD_CONTENTSIZE_ERROR else { return nil }
        return Int(exactly: size)
    }
}
