import Foundation
import LMDBKit

extension Ledger {
    /// Writes a consistent copy of the store into `destination` (a new or empty directory) while it stays in
    /// use: LMDB copies one read snapshot (`mdb_env_copy2`), so appends go on meanwhile. With `compact`, free
    /// pages are left out. Returns the head the copy holds.
    ///
    /// - Throws: `LedgerError` `.invalidArgument` when `destination` is not empty, `.unavailable` when the
    ///   disk fills.
    public func backup(to destination: String, compact: Bool = false) throws -> ChainHead {
        let files = FileManager.default
        var isDirectory: ObjCBool = false
        if files.fileExists(atPath: destination, isDirectory: &isDirectory) {
            let empty = isDirectory.boolValue && files.enumerator(atPath: destination)?.nextObject() == nil
            guard empty else {
                throw LedgerError(
                    .invalidArgument,
                    "\(destination) is not an empty directory; back up into a new or empty one")
            }
        } else {
            do {
                try files.createDirectory(
                    atPath: destination, withIntermediateDirectories: true,
                    attributes: [.posixPermissions: 0o700])
            } catch {
                throw LedgerError(
                    .storage, "cannot create \(destination): \(error.localizedDescription)",
                    underlying: SendableDescription(error))
            }
        }
        do {
            try writer.gate.shared { try environment.copy(to: destination, compact: compact) }
        } catch let error as LMDBError {
            throw LedgerError.wrappingWrite(
                error, doing: "backing up to \(destination)", storeAt: destination)
        }
        chmod(destination + "/data.mdb", 0o600)
        return try Ledger.open(at: destination).head()
    }
}
