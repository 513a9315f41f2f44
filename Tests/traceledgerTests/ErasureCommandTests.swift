import Foundation
import Testing
import TraceLedgerTesting

@testable import TraceLedger

/// `traceledger erase customer`: the personal data goes, from every reading and, after `compact`, from the
/// store file; every proof and checkpoint stays valid; the erasure is an event with its actor.
@Suite struct ErasureCommandTests {
    static let canary = "canary.erased@example.com"

    func write(_ fixture: CLIFixture, _ name: String, _ bytes: [UInt8]) throws -> String {
        let path = fixture.directory.file(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func theCustomerIsForgottenAndEveryProofStillHolds() throws {
        let fixture = CLIFixture()
        #expect(try fixture.run("init").status == 0)
        let customer = try write(
            fixture, "customer.json",
            try ProviderFixtures.bytes("shopify/rest-fixture-2024-04.customer.shopify-api-js.json"))
        let order = try write(
            fixture, "order.json",
            try ProviderFixtures.bytes("shopify/rest-fixture-2024-04.order.shopify-api-js.json"))
        #expect(try fixture.run("ingest", "shopify", customer, order).status == 0)
        // A small update is stored uncompressed: the file search below can see it.
        let update = EventLine.make(
            type: "customer.updated", entityId: "207119551", payload: #"{"email":"\#(Self.canary)"}"#,
            traceId: nil)
        #expect(try fixture.run("append", stdin: update + "\n").status == 0)
        let data = fixture.store + "/data.mdb"
        #expect(try Data(contentsOf: URL(fileURLWithPath: data)).range(of: Data(Self.canary.utf8)) != nil)
        let key = fixture.directory.file("signer.key")
        let vkey = try CommandRunner.run(["keygen", "--name", "ledger.example.com/gdpr", "--out", key]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let before = fixture.directory.file("before")
        try try fixture.run("checkpoint", "--key", key).stdout.write(
            toFile: before, atomically: true, encoding: .utf8)
        let oldProof = fixture.directory.file("old-proof.json")
        try try fixture.run("prove", "1").stdout.write(toFile: oldProof, atomically: true, encoding: .utf8)

        let erased = try fixture.run(
            "erase", "customer", "207119551", "--actor", "user:dpo@example.com", "--reason",
            "GDPR request 2291")
        #expect(erased.status == 0, "\(erased.stderr)")
        #expect(erased.stdout.contains("2 event payloads, 2 raw bodies"), "\(erased.stdout)")

        for reading in [
            ["history", "customer", "207119551", "--json"], ["trace", "--order", "450789469", "--json"],
            ["state", "customer", "207119551", "--json"], ["events", "--json"],
        ] {
            let result = try CommandRunner.run(reading + ["--store", fixture.store])
            #expect(result.status == 0, "\(reading): \(result.stderr)")
            #expect(
                !result.stdout.contains("bob.norman") && !result.stdout.contains(Self.canary), "\(reading)")
        }
        #expect(
            try fixture.run("state", "customer", "207119551", "--json").stdout.contains(#""forgotten":true"#))
        let history = try fixture.run("history", "customer", "207119551", "--json").lines
        #expect(history.last?.contains(#""type":"customer.erased""#) == true)
        #expect(history.last?.contains(#""actor":"user:dpo@example.com""#) == true)
        for position in ["1", "2"] {  // the customer's delivery, and its order's: both bodies named the buyer
            let raw = try fixture.run("show", position, "--raw")
            #expect(raw.status == 1 && raw.stderr.contains("erased"), "\(position): \(raw.stderr)")
        }
        // The chain, the tree, the old checkpoint and proofs made before and after all still hold.
        #expect(try fixture.run("verify").status == 0)
        #expect(try fixture.run("verify", "--checkpoint", before, "--key", vkey).status == 0)
        #expect(
            try CommandRunner.run(["check-proof", oldProof, "--checkpoint", before, "--key", vkey]).status
                == 0)
        let after = fixture.directory.file("after")
        try try fixture.run("checkpoint", "--key", key).stdout.write(
            toFile: after, atomically: true, encoding: .utf8)
        for position in ["1", "2", "3"] {
            let proof = fixture.directory.file("proof-\(position).json")
            try try fixture.run("prove", position).stdout.write(
                toFile: proof, atomically: true, encoding: .utf8)
            let checked = try CommandRunner.run(["check-proof", proof, "--checkpoint", after, "--key", vkey])
            #expect(checked.status == 0, "\(position): \(checked.stdout)\(checked.stderr)")
        }
        #expect(try fixture.run("verify", "--checkpoint", before, "--key", vkey).status == 0)

        let compacted = try fixture.run("compact")
        #expect(compacted.status == 0, "\(compacted.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: data)).range(of: Data(Self.canary.utf8)) == nil)
        #expect(try fixture.run("verify", "--checkpoint", before, "--key", vkey).status == 0)
        let again = try fixture.run(
            "erase", "customer", "nobody", "--actor", "user:dpo@example.com", "--reason", "x")
        #expect(again.status == 1 && again.stderr.contains("no events for customer nobody"))
    }

    @Test func aRecordMarkedErasedWithoutAnErasureEventFailsVerify() async throws {
        let store = try TemporaryStore()
        let line = EventLine.make(
            type: "customer.created", entityId: "C-1", payload: #"{"email":"a@example.com"}"#)
        _ = try await store.ledger.append(EventDecoder().decode(line))
        _ = try await store.ledger.append(
            EventDecoder().decode(
                EventLine.make(type: "customer.updated", entityId: "C-1", payload: #"{"name":"A"}"#)))
        // Someone with the store flips the first record to "erased" and swaps its payload.
        try await store.ledger.write { transaction in
            let snapshot = transaction.snapshot
            let event = try snapshot.event(at: 1)!
            var content = event.content
            content.payload =
                Erasure(
                    payloadDigest: String(repeating: "0", count: 64), erasedAt: .now(), erasedBy: "user:x",
                    reason: "x",
                    erasurePosition: 9
                ).tombstone
            let record = try snapshot.codec.encode(
                body: CanonicalBody.encode(content, streamVersion: 1), recordedAt: event.recordedAt,
                hash: event.hash,
                dictionary: nil, erased: true)
            try transaction.put(record, at: UInt64(1).bigEndianBytes, in: transaction.databases.events)
        }
        guard case .broken(let position, let reason) = try store.ledger.verify() else {
            Issue.record("verify did not see the forged erasure")
            return
        }
        #expect(position == 1 && reason.contains("no erasure event"))
        #expect(try store.ledger.verifyIndexes().contains { $0.index == "merkle" })
    }

    @Test func compactRefusesWhileAnotherProcessHasTheStoreOpen() async throws {
        let fixture = CLIFixture()
        #expect(try fixture.run("init").status == 0)
        let ledger = try Ledger.open(at: fixture.store)
        let refused = try fixture.run("compact")
        #expect(
            refused.status == 1 && refused.stderr.contains("open in another process"), "\(refused.stderr)")
        await ledger.close()
    }
}
