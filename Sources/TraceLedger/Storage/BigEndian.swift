/// Big-endian integers: the one encoding of every integer in a key or stored value, so that keys sort
/// numerically and a stored number reads the same on every machine.
extension FixedWidthInteger {
    /// The integer's bytes, most significant first.
    var bigEndianBytes: [UInt8] {
        withUnsafeBytes(of: self.bigEndian) { Array($0) }
    }

    /// Appends the integer's bytes, most significant first, to `bytes` (without an array of its own: encoders
    /// write many integers per record and state).
    func appendBigEndian(to bytes: inout [UInt8]) {
        withUnsafeBytes(of: self.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// Reads `Self.bitWidth / 8` big-endian bytes from the start of `bytes` (which must hold that many).
    init(bigEndianBytes bytes: some Collection<UInt8>) {
        var value = Self.zero
        for byte in bytes.prefix(Self.bitWidth / 8) { value = value << 8 | Self(byte) }
        self = value
    }
}
