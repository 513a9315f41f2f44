import CLMDB

/// A named database inside an `Environment`: a handle that stays valid while the environment is open.
///
/// Sendable: it is only the integer handle LMDB hands out, shared by all transactions of the environment.
public struct Database: Sendable, Hashable {
    let handle: MDB_dbi

    init(handle: MDB_dbi) { self.handle = handle }
}

/// How a named database stores its keys and values.
public struct DatabaseFlags: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Create the database if it does not exist (only inside a write transaction).
    public static let create = DatabaseFlags(rawValue: UInt32(MDB_CREATE))
    /// Several sorted values per key.
    public static let duplicateSort = DatabaseFlags(rawValue: UInt32(MDB_DUPSORT))
    /// With `duplicateSort`: all values of a key have the same size, enabling bulk reads.
    public static let duplicateFixed = DatabaseFlags(rawValue: UInt32(MDB_DUPFIXED))
    /// Keys are native-endian unsigned integers.
    public static let integerKey = DatabaseFlags(rawValue: UInt32(MDB_INTEGERKEY))
}

/// How `put` treats existing keys and where it writes.
public struct PutFlags: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Fail with `LMDBError.keyExists` when the key exists.
    public static let noOverwrite = PutFlags(rawValue: UInt32(MDB_NOOVERWRITE))
    /// In a duplicate-sorted database, fail when the key/value pair exists.
    public static let noDuplicateData = PutFlags(rawValue: UInt32(MDB_NODUPDATA))
    /// The key sorts after every existing key: a fast append at the end of the tree.
    public static let append = PutFlags(rawValue: UInt32(MDB_APPEND))
    /// The value sorts after every existing value of the key (duplicate-sorted databases).
    public static let appendDuplicate = PutFlags(rawValue: UInt32(MDB_APPENDDUP))
}

/// Counts LMDB keeps for a database.
public struct DatabaseStatistics: Sendable {
    public let entries: Int
    public let depth: Int
    public let branchPages: Int
    public let leafPages: Int
    public let overflowPages: Int
    public let pageSize: Int

    /// Bytes taken by the database's pages.
    public var bytes: Int { (branchPages + leafPages + overflowPages) * pageSize }
}
