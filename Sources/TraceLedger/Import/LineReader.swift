#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads NDJSON from a file descriptor in large chunks and hands out whole lines with their numbers, so a
/// file of any size is read with memory bounded by the chunk size (plus the longest line).
///
/// Not Sendable: it owns a buffer and a read position.
final class LineReader {
    private let descriptor: Int32
    private let closeWhenDone: Bool
    private var buffer: [UInt8] = []
    private var start = 0
    private var endOfFile = false
    private var nextLineNumber = 1
    /// Bytes read so far, for progress.
    private(set) var bytesRead = 0
    private let chunkSize = 4 << 20
    /// Whether the rest of an overlong line is being read past (see `withLinesOfNextChunk`).
    private var skippingLine = false

    /// Reads the file at `path`, or standard input for `-`.
    init(path: String) throws {
        if path == "-" {
            descriptor = 0
            closeWhenDone = false
        } else {
            descriptor = open(path, O_RDONLY)
            guard descriptor >= 0 else {
                throw LedgerError(.notFound, "cannot open \(path): \(String(cString: strerror(errno)))")
            }
            closeWhenDone = true
        }
    }

    deinit { if closeWhenDone { close(descriptor) } }

    /// Calls `body` with each non-blank line of the next chunk; returns false at the end of the input.
    func forEachLineOfNextChunk(_ body: (NDJSONLines.Line) throws -> Void) throws -> Bool {
        try withLinesOfNextChunk { lines in for line in lines { try body(line) } }
    }

    /// Calls `body` once with every non-blank line of the next chunk (at most one chunk plus the longest line),
    /// so the caller can work on the lines in parallel; the buffers are valid only inside `body`. Returns false
    /// at the end of the input.
    func withLinesOfNextChunk(_ body: ([NDJSONLines.Line]) throws -> Void) throws -> Bool {
        if endOfFile && start >= buffer.count { return false }
        try fill()
        let end: Int
        if endOfFile {
            end = buffer.count
        } else if let lastNewline = buffer[start...].lastIndex(of: UInt8(ascii: "\n")) {
            end = lastNewline + 1
        } else {
            // A line longer than the chunk: read more before splitting. Past the limit of one event, keep
            // only enough of it for the decoder to reject it by its size, and skip the rest as it is read:
            // memory stays bounded however long the line.
            if buffer.count - start > EventLimits.maximumLineBytes {
                buffer.removeSubrange((start + EventLimits.maximumLineBytes + 1)...)
                skippingLine = true
            }
            return true
        }
        var lines = 0
        try buffer.withUnsafeBytes { raw in
            let chunk = UnsafeRawBufferPointer(rebasing: raw[start..<end])
            lines = chunk.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
            try body(Array(NDJSONLines(chunk, firstLineNumber: nextLineNumber)))
        }
        nextLineNumber += lines
        start = end
        return !(endOfFile && start >= buffer.count)
    }

    private func fill() throws {
        if skippingLine { try skipRestOfLine() }
        if start > 0 {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        let old = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: chunkSize))
        var filled = old
        while filled < buffer.count {
            let count = buffer.withUnsafeMutableBytes {
                read(descriptor, $0.baseAddress! + filled, $0.count - filled)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw LedgerError(.storage, "reading the input failed: \(String(cString: strerror(errno)))")
            }
            if count == 0 {
                endOfFile = true
                break
            }
            filled += count
        }
        bytesRead += filled - old
        buffer.removeSubrange(filled...)
    }

    /// Reads past the rest of an overlong line, up to and keeping its newline.
    private func skipRestOfLine() throws {
        var scratch = [UInt8](repeating: 0, count: 1 << 20)
        while skippingLine {
            let count = scratch.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw LedgerError(.storage, "reading the input failed: \(String(cString: strerror(errno)))")
            }
            if count == 0 {
                endOfFile = true
                skippingLine = false
                return
            }
            bytesRead += count
            if let newline = scratch[..<count].firstIndex(of: UInt8(ascii: "\n")) {
                buffer.append(contentsOf: scratch[newline..<count])
                skippingLine = false
            }
        }
    }
}
