import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing
import TraceLedgerTesting
import TraceLedgerWorkload

@testable import TraceLedger

/// Checkpoints and proofs as an auditor uses them: read by an independent verifier (PyPI `tlog-scales`, and
/// the leaf recomputed in Python from `trace --json`), and a rewrite of history that plain `verify` cannot see.
@Suite struct ProofCommandTests {
    /// A store of `count` workload events, a key and a checkpoint at its head.
    static func signedStore(count: Int) throws -> (CLIFixture, vkey: String, checkpoint: String) {
        let fixture = CLIFixture()
        #expect(try fixture.run("init").status == 0)
        #expect(
            try fixture.run("import", try fixture.write(WorkloadGenerator.lines(seed: 31, count: count)))
                .status == 0)
        let key = fixture.directory.file("signer.key")
        let keygen = try CommandRunner.run(["keygen", "--name", "ledger.example.com/audit", "--out", key])
        #expect(keygen.status == 0, "\(keygen.stderr)")
        let checkpoint = fixture.directory.file("checkpoint-\(count)")
        let signed = try fixture.run("checkpoint", "--key", key)
        #expect(signed.status == 0, "\(signed.stderr)")
        try signed.stdout.write(toFile: checkpoint, atomically: true, encoding: .utf8)
        return (fixture, keygen.stdout.trimmingCharacters(in: .whitespacesAndNewlines), checkpoint)
    }

    static let verifier = #"""
        import base64, hashlib, json, sys
        from tlog_scales.signing import Vkey
        from tlog_scales.tlog import Checkpoint, ConsistencyProof, InclusionProof
        vkey_text, old_path, new_path, trace_path, proof_path, consistency_path = sys.argv[1:]
        vkey = Vkey.from_string(vkey_text)
        old = Checkpoint.from_text(open(old_path).read()); old.verify(vkey)
        new = Checkpoint.from_text(open(new_path).read()); new.verify(vkey)
        proof = json.load(open(proof_path))
        # The leaf, from the event's envelope alone (docs/record-format.md).
        line = next(l.rstrip("\n") for l in open(trace_path, encoding="utf-8") if json.loads(l)["position"] == proof["position"])
        envelope = json.loads(line)
        payload = line[line.index(',"payload":') + len(',"payload":'):-1].encode("utf-8")
        fields = ["traceledger-leaf/1", str(envelope["position"]), envelope["eventId"], envelope["traceId"],
                  envelope.get("correlationId", ""), envelope.get("causationId", ""), envelope["domain"],
                  envelope["entityId"], envelope["type"], envelope["origin"], envelope["actor"],
                  envelope["occurredAt"], envelope["recordedAt"], str(envelope["streamVersion"]),
                  hashlib.sha256(payload).hexdigest()]
        leaf_hash = hashlib.sha256(b"\x00" + "".join(f + "\n" for f in fields).encode("utf-8")).digest()
        assert base64.b64decode(proof["leafHash"]) == leaf_hash, "leaf hash"
        assert proof["treeSize"] == new.size
        InclusionProof(proof["leafIndex"], proof["treeSize"], [base64.b64decode(h) for h in proof["path"]]).check(leaf_hash, new.root_hash)
        consistency = json.load(open(consistency_path))
        assert (consistency["oldSize"], consistency["newSize"]) == (old.size, new.size)
        ConsistencyProof(old.size, new.size, [base64.b64decode(h) for h in consistency["path"]]).check(old.root_hash, new.root_hash)
        print("ok", old.size, new.size)
        """#

    @Test func anIndependentVerifierAcceptsCheckpointsAndProofs() throws {
        let (fixture, vkey, old) = try Self.signedStore(count: 137)
        #expect(
            try fixture.run(
                "import", try fixture.write(WorkloadGenerator.lines(seed: 32, count: 230), to: "more.ndjson")
            ).status == 0)
        let key = fixture.directory.file("signer.key")
        let new = fixture.directory.file("checkpoint-new")
        let signed = try fixture.run("checkpoint", "--key", key)
        try signed.stdout.write(toFile: new, atomically: true, encoding: .utf8)
        #expect(signed.stdout.contains("\n367\n"))
        let event = try #require(
            try fixture.run("events", "--json", "--limit", "200").lines.dropFirst(99).first)
        let trace = try #require(
            event.components(separatedBy: #""traceId":""#).last?.prefix(while: { $0 != "\"" }))
        let traceFile = try fixture.write(
            try fixture.run("trace", String(trace), "--json").lines, to: "trace.ndjson")
        let proof = fixture.directory.file("proof.json")
        try try fixture.run("prove", "100").stdout.write(toFile: proof, atomically: true, encoding: .utf8)
        let consistency = fixture.directory.file("consistency.json")
        try try fixture.run("prove", "--consistency", old).stdout.write(
            toFile: consistency, atomically: true, encoding: .utf8)
        let (status, said) = try PythonScript.run(
            Self.verifier, [vkey, old, new, traceFile, proof, consistency])
        #expect(status == 0, "\(said)")
        #expect(said.contains("ok 137 367"))
        // And our own offline checker agrees, without a store.
        let inclusion = try CommandRunner.run(["check-proof", proof, "--checkpoint", new, "--key", vkey])
        #expect(
            inclusion.status == 0 && inclusion.stdout.contains("proven: the event at position 100"),
            "\(inclusion.stderr)")
        let grown = try CommandRunner.run([
            "check-proof", consistency, "--checkpoint", new, "--old-checkpoint", old, "--key", vkey,
        ])
        #expect(grown.status == 0 && grown.stdout.contains("extends the one of 137"), "\(grown.stderr)")
        #expect(try fixture.run("verify", "--checkpoint", old, "--key", vkey).status == 0)
        // A proof against another tree size, or a tampered path, is refused.
        var tampered = try String(contentsOfFile: proof, encoding: .utf8)
        let firstHash = try #require(tampered.range(of: #""path":[""#))
        // Another first character (the hashes change from run to run with recordedAt: "A" may be there already).
        let first = firstHash.upperBound..<tampered.index(firstHash.upperBound, offsetBy: 1)
        tampered.replaceSubrange(first, with: tampered[first] == "A" ? "B" : "A")
        try tampered.write(toFile: proof + ".bad", atomically: true, encoding: .utf8)
        let refused = try CommandRunner.run([
            "check-proof", proof + ".bad", "--checkpoint", new, "--key", vkey,
        ])
        #expect(refused.status == 3, "\(refused.stdout)\(refused.stderr)")
        let wrongSize = try CommandRunner.run(["check-proof", proof, "--checkpoint", old, "--key", vkey])
        #expect(wrongSize.status == 2 && wrongSize.stderr.contains("--size 137"))
    }

    @Test func aRewrittenHistoryPassesPlainVerifyButNotTheCheckpoint() async throws {
        let (fixture, vkey, checkpoint) = try Self.signedStore(count: 120)
        // An attacker with the store and this software: event 40's payload changed, every later chain hash
        // recomputed, the tree rebuilt, straight through LMDB.
        let ledger = try Ledger.open(at: fixture.store)
        try await ledger.write { transaction in
            let snapshot = transaction.snapshot
            let head = try snapshot.head()
            var previous = try snapshot.event(at: 39)!.hash
            var last = head
            for position in UInt64(40)...head.position {
                let event = try snapshot.event(at: position)!
                var content = event.content
                if position == 40 {
                    content.payload = Array(
                        content.payloadText.replacingOccurrences(of: "}", with: ",\"note\":\"edited\"}").utf8)
                }
                let body = CanonicalBody.encode(content, streamVersion: event.streamVersion)
                let hash = ChainHasher.hash(
                    previous: previous, position: position, recordedAt: event.recordedAt, body: body)
                let record = try snapshot.codec.encode(
                    body: body, recordedAt: event.recordedAt, hash: hash,
                    dictionary: try snapshot.dictionaries.current(in: snapshot))
                try transaction.put(record, at: position.bigEndianBytes, in: transaction.databases.events)
                previous = hash
                last = ChainHead(position: position, hash: hash, recordedAt: event.recordedAt)
            }
            try last.write(in: transaction.transaction, databases: transaction.databases)
            try MerkleTree.rebuild(in: snapshot)
        }
        await ledger.close()
        let plain = try fixture.run("verify")
        #expect(plain.status == 0, "plain verify cannot tell: \(plain.stdout)")
        #expect(try fixture.run("show", "40").stdout.contains("edited"))
        let checked = try fixture.run("verify", "--checkpoint", checkpoint, "--key", vkey)
        #expect(checked.status == 3)
        #expect(
            checked.stderr.contains("HISTORY REWRITTEN")
                && checked.stderr.contains("at or before position 120"), "\(checked.stderr)")
    }

    @Test func keysAndCheckpointsRefuseWhatIsWrong() throws {
        let (fixture, vkey, checkpoint) = try Self.signedStore(count: 10)
        let key = fixture.directory.file("signer.key")
        let again = try CommandRunner.run(["keygen", "--name", "other", "--out", key])
        #expect(again.status == 2 && again.stderr.contains("never overwritten"))
        let mode = try FileManager.default.attributesOfItem(atPath: key)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let other = try CommandRunner.run([
            "keygen", "--name", "other.example.com", "--out", fixture.directory.file("other.key"),
        ])
        let wrongKey = try fixture.run(
            "verify", "--checkpoint", checkpoint, "--key",
            other.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(
            wrongKey.status == 3 && wrongKey.stderr.contains("not signed by other.example.com"),
            "\(wrongKey.stderr)")
        var altered = try String(contentsOfFile: checkpoint, encoding: .utf8)
        altered = altered.replacingOccurrences(of: "\n10\n", with: "\n9\n")
        try altered.write(toFile: checkpoint + ".altered", atomically: true, encoding: .utf8)
        let forged = try fixture.run("verify", "--checkpoint", checkpoint + ".altered", "--key", vkey)
        #expect(forged.status == 3 && forged.stderr.contains("altered after signing"), "\(forged.stderr)")
        #expect(try fixture.run("checkpoint").status == 2)
    }

    @Test func theServerSignsCheckpointsAsEventsArriveAndServesThemWithProofs() async throws {
        let (fixture, vkey, _) = try Self.signedStore(count: 5)
        let (server, base) = try await ServeCommandTests.serve(
            fixture,
            extra: ["--checkpoint-key", fixture.directory.file("signer.key"), "--checkpoint-every", "10"])
        defer { kill(server.process.processIdentifier, SIGTERM) }
        for line in WorkloadGenerator.lines(seed: 33, count: 25) {
            _ = try await ServeCommandTests.post(base, line)
        }
        var note = ""
        for _ in 0..<50 {
            let response = try await HTTPClient.shared.execute(
                HTTPClientRequest(url: base + "/v1/checkpoint"), timeout: .seconds(60))
            note = String(buffer: try await response.body.collect(upTo: 1 << 16))
            if note.contains("\n30\n") || note.contains("\n25\n") { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let lines = note.split(separator: "\n")
        let size = try #require(lines.count > 1 ? UInt64(lines[1]) : nil)
        #expect(size >= 25, "\(note)")
        let checkpoint = fixture.directory.file("served-checkpoint")
        try note.write(toFile: checkpoint, atomically: true, encoding: .utf8)
        let proofResponse = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: base + "/v1/proofs/7?size=\(size)"), timeout: .seconds(60))
        let proof = fixture.directory.file("served-proof.json")
        try String(buffer: try await proofResponse.body.collect(upTo: 1 << 20)).write(
            toFile: proof, atomically: true, encoding: .utf8)
        let checked = try CommandRunner.run(["check-proof", proof, "--checkpoint", checkpoint, "--key", vkey])
        #expect(checked.status == 0, "\(checked.stdout)\(checked.stderr)")
    }

    @Test func anAuditWithProofsLetsTheAuditorCheckEveryRowOffline() throws {
        let (fixture, vkey, _) = try Self.signedStore(count: 60)
        let directory = fixture.directory.file("audit-2026-11")
        let audit = try fixture.run(
            "audit", "--format", "csv", "--proofs", directory, "--key", fixture.directory.file("signer.key"))
        #expect(audit.status == 0, "\(audit.stderr)")
        // Every row of the report (a line that starts with its position) has its proof, and each one checks.
        // (RFC 4180 lines end in CRLF.)
        let positions = audit.stdout.components(separatedBy: "\r\n").compactMap {
            UInt64($0.prefix { $0 != "," })
        }
        let proofs = try FileManager.default.contentsOfDirectory(atPath: directory + "/proofs")
        #expect(!positions.isEmpty)
        #expect(Set(proofs) == Set(positions.map { "\($0).json" }), "\(proofs) for \(positions)")
        for proof in proofs {
            let checked = try CommandRunner.run([
                "check-proof", directory + "/proofs/" + proof, "--checkpoint", directory + "/checkpoint",
                "--key", vkey,
            ])
            #expect(checked.status == 0, "\(proof): \(checked.stdout)\(checked.stderr)")
        }
        #expect(try String(contentsOfFile: directory + "/verifier-key", encoding: .utf8).hasPrefix(vkey))
    }
}
