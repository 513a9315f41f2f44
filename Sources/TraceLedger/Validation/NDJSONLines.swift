/// Splits NDJSON bytes into lines with their 1-based numbers, skipping blank lines and a trailing `\r`.
public struct NDJSONLines: Sequence {
    public struct Line {
        /// 1-based line number in the input.
        public let number: Int
        /// The line's bytes, without the newline.
        public let bytes: UnsafeRawBufferPointer
    }

    private let buffer: UnsafeRawBufferPointer
    private let firstLineNumber: Int

    /// Lines of `buffer`, numbered from `firstLineNumber` (for reading a large file in chunks).
    public init(_ buffer: UnsafeRawBufferPointer, firstLineNumber: Int = 1) {
        self.buffer = buffer
        self.firstLineNumber = firstLineNumber
    }

    public struct Iterator: IteratorProtocol {
        let buffer: UnsafeRawBufferPointer
        var offset = 0
        var number: Int

        public mutating func next() -> Line? {
            while offset < buffer.count {
                let start = offset
                var end = start
                while end < buffer.count, buffer[end] != UInt8(ascii: "\n") { end += 1 }
                offset = end + 1
                number += 1
                var last = end
                if last > start, buffer[last - 1] == UInt8(ascii: "\r") { last -= 1 }
                let line = UnsafeRawBufferPointer(rebasing: buffer[start..<last])
                if line.contains(where: { $0 != 0x20 && $0 != 0x09 }) {
                    return Line(number: number - 1, bytes: line)
                }
            }
            return nil
        }
    }

    public func makeIterator() -> Iterator { Iterator(buffer: buffer, number: firstLineNumber) }
}
