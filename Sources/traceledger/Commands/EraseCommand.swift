import ArgumentParser
import Foundation
import TraceLedger

struct EraseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "erase",
        abstract: "Erase a customer's personal data (the right to be forgotten), keeping every proof valid.",
        discussion: """
            `erase customer ID --actor WHO --reason WHY`: the payloads of the customer's events become \
            tombstones and the raw webhook bodies that named the customer (its own, and its orders') are \
            deleted; a customer.erased event records who, why and which positions. Positions, hashes, the \
            Merkle tree, checkpoints and proofs stay valid (a leaf holds its payload's digest). Orders, payments \
            and invoices keep their payloads: they are the books, and name the customer only by id. The bytes \
            leave the store file with `traceledger compact` (LMDB does not zero freed pages).
            """)

    @OptionGroup var store: StoreOptions

    @Argument(help: ArgumentHelp("customer (the only domain with personal data).", valueName: "domain"))
    var domain: String

    @Argument(help: ArgumentHelp("The customer's id.", valueName: "id"))
    var id: String

    @Option(
        name: .long,
        help: ArgumentHelp("Who erases, e.g. user:dpo@example.com (recorded).", valueName: "actor"))
    var actor: String

    @Option(
        name: .long, help: ArgumentHelp("Why, e.g. the request's reference (recorded).", valueName: "text"))
    var reason: String

    func validate() throws {
        guard domain == "customer" else {
            throw ValidationError("only customers hold personal data: `traceledger erase customer ID`")
        }
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ValidationError("--reason must say why (the request's reference)")
        }
    }

    func run() async throws {
        let summary = try await store.openLedger().erase(customer: id, actor: actor, reason: reason)
        print(
            "erased customer \(id): \(summary.erasedPositions.count) event payloads, \(summary.rawBodiesErased) raw "
                + "bodies; recorded at position \(summary.erasurePosition)")
        print("run `traceledger compact` (with the server stopped) to remove the bytes from the store file")
    }
}

struct CompactCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compact",
        abstract:
            "Rewrite the store's file without its free pages (after an erasure, or to give space back).",
        discussion: """
            The store must be open in no other process: stop the server, replays and tails first (compact \
            refuses, exit 1, while one has it open). Every event, hash and proof is unchanged.
            """)

    @OptionGroup var store: StoreOptions

    func run() async throws {
        let summary = try await Ledger.compact(at: store.path)
        print(
            "compacted \(store.path): \(Format.bytes(summary.bytesBefore)) → \(Format.bytes(summary.bytesAfter)), "
                + "head position \(summary.head.position)")
    }
}
