import LMDBKit

extension Cursor {
    /// Calls `body` with each value of the key the cursor is on, in order: the 8-byte big-endian positions of a
    /// position index (`DUPSORT`+`DUPFIXED`), read a page of them at a time. Leaves the cursor on the key's last
    /// value, so `nextKey()` goes on to the next key.
    func forEachPosition(ofCurrentKey body: (UnsafeRawBufferPointer) throws -> Void) throws {
        var page = try currentValues()
        while let values = page {
            var offset = 0
            while offset + 8 <= values.count {
                try body(UnsafeRawBufferPointer(rebasing: values[offset..<offset + 8]))
                offset += 8
            }
            page = try nextValues()
        }
    }

    /// The positions of the key the cursor is on, in order (see `forEachPosition(ofCurrentKey:)`).
    func positionsOfCurrentKey() throws -> [UInt64] {
        var positions: [UInt64] = []
        positions.reserveCapacity(try duplicateCount())
        try forEachPosition(ofCurrentKey: { positions.append(UInt64(bigEndianBytes: $0)) })
        return positions
    }
}
