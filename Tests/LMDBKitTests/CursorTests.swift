import LMDBKit
import Testing

@Suite struct CursorTests {
    @Test func duplicateSortedValuesComeBackInOrderAndInBulk() throws {
        try withEnvironment { env in
            let db = try env.write {
                try env.openDatabase(
                    named: "dups", flags: [.create, .duplicateSort, .duplicateFixed], in: $0)
            }
            try env.write { txn in
                for value in 1...2000 as ClosedRange<UInt64> {
                    try txn.put(
                        in: db, key: Array("k".utf8),
                        value: withUnsafeBytes(of: value.bigEndian) { Array($0) },
                        flags: .appendDuplicate)
                }
                try txn.put(in: db, key: Array("z".utf8), value: [0, 0, 0, 0, 0, 0, 0, 1])
            }
            let (count, values) = try env.read { txn in
                try txn.withCursor(on: db) { cursor in
                    _ = try Array("k".utf8).withUnsafeBytes { try cursor.find($0) }
                    let count = try cursor.duplicateCount()
                    var values: [UInt64] = []
                    var page = try cursor.currentValues()
                    while let bytes = page {
                        for offset in stride(from: 0, to: bytes.count, by: 8) {
                            values.append(
                                bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self).bigEndian)
                        }
                        page = try cursor.nextValues()
                    }
                    return (count, values)
                }
            }
            #expect(count == 2000)
            #expect(values == Array(1...2000))
        }
    }

    @Test func aKeysOnlyValueComesBackInBulk() throws {
        try withEnvironment { env in
            let db = try env.write {
                try env.openDatabase(
                    named: "dups", flags: [.create, .duplicateSort, .duplicateFixed], in: $0)
            }
            try env.write { try $0.put(in: db, key: Array("single".utf8), value: [0, 0, 0, 0, 0, 0, 0, 9]) }
            let values = try env.read { txn in
                try txn.withCursor(on: db) { cursor in
                    _ = try Array("single".utf8).withUnsafeBytes { try cursor.find($0) }
                    return try cursor.currentValues().map { Array($0) }
                }
            }
            #expect(values == [0, 0, 0, 0, 0, 0, 0, 9])
        }
    }

    @Test func seekFindsTheFirstKeyAtOrAfter() throws {
        try withEnvironment { env in
            let db = try env.write { try env.openDatabase(named: "kv", flags: .create, in: $0) }
            try env.write { txn in
                for key in [10, 20, 30] as [UInt8] { try txn.put(in: db, key: [key], value: [key]) }
            }
            let found = try env.read { txn in
                try txn.withCursor(on: db) { cursor in
                    try [UInt8(15)].withUnsafeBytes { try cursor.seek($0)?.key.first }
                }
            }
            #expect(found == 20)
            let none = try env.read { txn in
                try txn.withCursor(on: db) { cursor in
                    try [UInt8(31)].withUnsafeBytes { try cursor.seek($0) } != nil
                }
            }
            #expect(!none)
        }
    }
}
