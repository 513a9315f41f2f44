import ArgumentParser
import Foundation
import TraceLedger

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Rewrite a store of an earlier format into this build's, checking that nothing changed.",
        discussion: """
            Each record is written again in the current format with its position, time, hash and erasure; \
            consumers, dead letters, projections, raw deliveries and signed checkpoints are copied; the indexes \
            are built again. The new file replaces the old only once it verifies: the hash chain to the same head, \
            every index, the Merkle root at the head and at every kept checkpoint's size. The old file stays \
            beside it (format-N.mdb, N the old format) until you remove it, so the disk needs room for a second copy. The store must \
            be open in no other process. A store of the current format is left as it is.
            """)

    @OptionGroup var store: StoreOptions

    func run() async throws {
        guard let migration = try await Ledger.migrate(at: store.path) else {
            print("\(store.path) is already of the current format; nothing to do")
            return
        }
        print(
            "migrated \(store.path) from format \(migration.fromFormat) to \(migration.toFormat): "
                + "\(Format.count(Int(migration.head.position))) events, "
                + "\(Format.bytes(migration.bytesBefore)) → \(Format.bytes(migration.bytesAfter))")
        print("unchanged: head position \(migration.head.position), hash \(migration.head.hash)")
        print(
            "unchanged: Merkle root \(Data(migration.merkleRoot).base64EncodedString()) at the head, and at each of "
                + "\(migration.checkpoints) signed checkpoint\(migration.checkpoints == 1 ? "" : "s")")
        print(
            "the format-\(migration.fromFormat) file is kept at \(migration.originalKeptAt): remove it once you "
                + "no longer need it")
    }
}
