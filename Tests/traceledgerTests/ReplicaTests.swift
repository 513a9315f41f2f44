import Foundation
import Testing
import TraceLedgerTesting
import TraceLedgerWorkload

/// Replicas as an operator runs them: a primary's `replay --domain all` publishing into a real JetStream
/// stream (nats-server on loopback), `traceledger mirror` rebuilding a replica store from it, `promote`.
@Suite(.serialized) struct ReplicaTests {
    static let subject = "ledger.events"

    /// A primary with `count` events, a stream, and everything published into it.
    static func published(count: Int, seed: UInt64, nats: NATSServer, until: Int? = nil) throws -> CLIFixture {
        let primary = CLIFixture()
        #expect(try primary.run("init").status == 0)
        #expect(
            try primary.run("import", try primary.write(WorkloadGenerator.lines(seed: seed, count: count))).status
                == 0)
        try nats.createStream(named: "LEDGER", subject: subject)
        let replay = try primary.run(
            "replay", "--to", "\(nats.url)/\(subject)", "--consumer", "replicas", "--domain", "all",
            "--until", String(until ?? count))
        #expect(replay.status == 0, "\(replay.stderr)")
        return primary
    }

    static func head(_ store: String) throws -> String {
        let stats = try CommandRunner.run(["stats", "--json", "--store", store]).stdout
        let range = try #require(stats.range(of: #""headPosition":\d+"#, options: .regularExpression))
        return String(stats[range])
    }

    @Test func aReplicaHoldsThePrimarysLogAndRefusesWritesUntilPromoted() async throws {
        let nats = try NATSServer()
        let primary = try Self.published(count: 3_000, seed: 101, nats: nats)
        let replicaFixture = CLIFixture()
        let replica = replicaFixture.store
        let mirror = try CommandRunner.run([
            "mirror", "--from", "\(nats.url)/\(Self.subject)", "--store", replica, "--once",
        ])
        #expect(mirror.status == 0, "\(mirror.stderr)")
        #expect(mirror.stdout.contains("3000 events applied"))
        // The same log: the head of the first 3,000 events (the primary recorded its replay after them).
        let primaryEvents = try primary.run("events", "--json", "--until", "3000", "--limit", "100000").stdout
        let replicaEvents = try CommandRunner.run(["events", "--json", "--limit", "100000", "--store", replica])
            .stdout
        #expect(primaryEvents == replicaEvents, "the replica's events differ from the primary's")
        #expect(try CommandRunner.run(["verify", "--store", replica]).status == 0)
        let someTrace = try #require(
            primaryEvents.split(separator: "\n").first.flatMap { line -> String? in
                guard let range = line.range(of: #""traceId":"[0-9a-f]{32}""#, options: .regularExpression) else {
                    return nil
                }
                return String(line[range].dropFirst(11).dropLast())
            })
        #expect(
            try primary.run("trace", someTrace, "--json").stdout
                == CommandRunner.run(["trace", someTrace, "--json", "--store", replica]).stdout)
        let reconcile = try CommandRunner.run(["reconcile", "--json", "--store", replica])
        #expect(reconcile.status == 0 || reconcile.status == 5, "\(reconcile.stderr)")
        let status = try CommandRunner.run(["mirror", "status", "--json", "--store", replica])
        #expect(status.stdout.contains("\"head\":3000") && status.stdout.contains("\"lagEvents\":0"), "\(status.stdout)")
        // A replica refuses writes, naming its primary.
        let line = WorkloadGenerator.lines(seed: 102, count: 1)[0]
        let refused = try CommandRunner.run(["append", "--store", replica], stdin: line + "\n")
        #expect(refused.status != 0 && refused.stderr.contains("replica of \(nats.url)/\(Self.subject)"))
        #expect(try CommandRunner.run(["stats", "--json", "--store", replica]).stdout.contains("\"replica\":{\"origin\""))
        // The server on a replica refuses appends too, and says why.
        let (server, base) = try await ServeCommandTests.serve(replicaFixture)
        let answer = try await ServeCommandTests.post(base, line)
        server.process.terminate()
        server.process.waitUntilExit()
        #expect(answer.status == 409 && answer.body.contains("replica of"), "\(answer)")
        // Promotion is refused while the stream shows the primary publishing, then allowed after the quiet time.
        // (--quiet 3600: "published within the hour", whatever the pace of this machine.)
        let early = try CommandRunner.run([
            "promote", "--actor", "user:oncall@example.com", "--reason", "drill", "--quiet", "3600", "--store",
            replica,
        ])
        #expect(early.status != 0 && early.stderr.contains("stop it first"), "\(early.stderr)")
        let promoted = try CommandRunner.run([
            "promote", "--actor", "user:oncall@example.com", "--reason", "drill", "--quiet", "0", "--store", replica,
        ])
        #expect(promoted.status == 0, "\(promoted.stderr)")
        #expect(promoted.stdout.contains("the promotion is position 3001"))
        let appended = try CommandRunner.run(["append", "--store", replica], stdin: line + "\n")
        #expect(appended.status == 0, "\(appended.stderr)")
        // The chain goes on from the replica's head: the promotion, then the new event, and it all verifies.
        #expect(try Self.head(replica).contains("\"headPosition\":3002"))
        #expect(try CommandRunner.run(["verify", "--store", replica]).status == 0)
    }

    /// An auditor's checkpoint of the primary holds on the replica: its tree is the primary's, leaf for leaf.
    @Test func theReplicaProvesItExtendsThePrimarysSignedCheckpoint() async throws {
        let nats = try NATSServer()
        let (primary, vkey, checkpoint) = try ProofCommandTests.signedStore(count: 500)
        #expect(
            try primary.run(
                "import", try primary.write(WorkloadGenerator.lines(seed: 105, count: 50), to: "later.ndjson")
            ).status == 0)
        try nats.createStream(named: "LEDGER", subject: Self.subject)
        let replay = try primary.run(
            "replay", "--to", "\(nats.url)/\(Self.subject)", "--consumer", "replicas", "--domain", "all")
        #expect(replay.status == 0, "\(replay.stderr)")
        let replica = TemporaryDirectory("replica").file("store")
        let mirror = try CommandRunner.run([
            "mirror", "--from", "\(nats.url)/\(Self.subject)", "--store", replica, "--once",
        ])
        #expect(mirror.status == 0, "\(mirror.stderr)")
        #expect(try Self.head(replica).contains("\"headPosition\":550"))
        let verified = try CommandRunner.run([
            "verify", "--checkpoint", checkpoint, "--key", vkey, "--store", replica,
        ])
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        #expect(verified.stdout.contains("500"), "\(verified.stdout)")
    }

    /// A customer erased on the primary is erased on the replica: the same tombstones, every proof still valid.
    @Test func anErasureOnThePrimaryReachesTheReplica() async throws {
        let nats = try NATSServer()
        let primary = try Self.published(count: 600, seed: 106, nats: nats)
        let replica = TemporaryDirectory("replica").file("store")
        let url = "\(nats.url)/\(Self.subject)"
        #expect(try CommandRunner.run(["mirror", "--from", url, "--store", replica, "--once"]).status == 0)
        let customerLine = try #require(try primary.run("events", "--domain", "customer", "--json", "--limit", "1").lines.first)
        let idRange = try #require(customerLine.range(of: #""entityId":"[^"]+""#, options: .regularExpression))
        let customer = String(customerLine[idRange].dropFirst(12).dropLast())
        let erased = try primary.run(
            "erase", "customer", customer, "--actor", "user:dpo@example.com", "--reason", "GDPR request 7")
        #expect(erased.status == 0, "\(erased.stderr)")
        let again = try primary.run("replay", "--to", url, "--consumer", "replicas", "--domain", "all")
        #expect(again.status == 0, "\(again.stderr)")
        let mirror = try CommandRunner.run(["mirror", "--from", url, "--store", replica, "--once"])
        #expect(mirror.status == 0, "\(mirror.stderr)")
        let through = String(Int(try Self.head(replica).dropFirst(15)) ?? 0)
        let onPrimary = try primary.run("events", "--json", "--until", through, "--limit", "100000").stdout
        let onReplica = try CommandRunner.run(["events", "--json", "--limit", "100000", "--store", replica]).stdout
        #expect(onReplica.contains("\"erased\":{"), "the replica kept the customer's data")
        #expect(onPrimary == onReplica, "the replica's tombstones differ from the primary's")
        #expect(try CommandRunner.run(["verify", "--store", replica]).status == 0)
    }

    /// The Merkle leaf hash each message carries is checked too: a true record with another leaf is refused.
    @Test func aMessageWhoseLeafIsNotTheRecordsStopsTheReplica() async throws {
        let nats = try NATSServer()
        let primary = try Self.published(count: 300, seed: 107, nats: nats, until: 200)
        let envelope = try #require(try primary.run("events", "--json", "--from", "201", "--limit", "1").lines.first)
        try nats.publish(
            envelope, subject: Self.subject, id: "wrong-leaf-201",
            headers: ["TraceLedger-Leaf": String(repeating: "ab", count: 32)])
        let replica = TemporaryDirectory("replica").file("store")
        let mirror = try CommandRunner.run([
            "mirror", "--from", "\(nats.url)/\(Self.subject)", "--store", replica, "--once",
        ])
        #expect(mirror.status == 3, "\(mirror.stdout)\(mirror.stderr)")
        #expect(mirror.stderr.contains("position 201") && mirror.stderr.contains("Merkle leaf"), "\(mirror.stderr)")
        let head = try Self.head(replica)
        #expect(head == "\"headPosition\":200", "\(head)")
    }

    @Test func anAlteredMessageStopsTheReplicaAtItsPosition() async throws {
        let nats = try NATSServer()
        let primary = try Self.published(count: 600, seed: 103, nats: nats, until: 500)
        // Position 501 as the primary recorded it, with one payload byte changed and the primary's hash kept.
        let envelope = try #require(try primary.run("events", "--json", "--from", "501", "--limit", "1").lines.first)
        let altered = envelope.replacingOccurrences(of: "\"payload\":{", with: "\"payload\":{\"forged\":true,")
        #expect(altered != envelope)
        try nats.publish(altered, subject: Self.subject, id: "forged-501")
        let replica = TemporaryDirectory("replica").file("store")
        let mirror = try CommandRunner.run([
            "mirror", "--from", "\(nats.url)/\(Self.subject)", "--store", replica, "--once",
        ])
        #expect(mirror.status == 3, "\(mirror.stdout)\(mirror.stderr)")
        #expect(mirror.stderr.contains("position 501"), "\(mirror.stderr)")
        #expect(try Self.head(replica).contains("\"headPosition\":500"))
        #expect(try CommandRunner.run(["verify", "--store", replica]).status == 0)
    }

    @Test func aReplicaKilledMidApplyResumesWithNothingMissingOrDoubled() async throws {
        let nats = try NATSServer()
        let count = 20_000
        let primary = try Self.published(count: count, seed: 104, nats: nats)
        let replica = TemporaryDirectory("replica").file("store")
        let running = try CommandRunner.start([
            // One message per transaction: an fsync each, so the kill lands mid-apply however slow the polling.
            "mirror", "--from", "\(nats.url)/\(Self.subject)", "--store", replica, "--batch", "1",
        ])
        var applied = 0
        for _ in 0..<2_000 where applied < 300 {
            try await Task.sleep(for: .milliseconds(25))
            if let stats = try? CommandRunner.run(["stats", "--json", "--store", replica]).stdout,
                let range = stats.range(of: #""events":(\d+)"#, options: .regularExpression)
            {
                applied = Int(stats[range].dropFirst(9)) ?? 0
            }
        }
        kill(running.process.processIdentifier, SIGKILL)
        running.process.waitUntilExit()
        #expect(applied >= 300 && applied < count, "killed after \(applied) events")
        let resumed = try CommandRunner.run([
            "mirror", "--from", "\(nats.url)/\(Self.subject)", "--store", replica, "--once",
        ])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let primaryEvents = try primary.run("events", "--json", "--until", String(count), "--limit", "100000").stdout
        let replicaEvents = try CommandRunner.run(["events", "--json", "--limit", "100000", "--store", replica])
            .stdout
        #expect(primaryEvents == replicaEvents)
        #expect(try CommandRunner.run(["verify", "--store", replica]).status == 0)
    }
}

/// The topology docs/scaling.md describes: an R3 stream on a three-server JetStream cluster, the primary
/// publishing through one server, the replica reading through another, servers failing meanwhile.
@Suite(.serialized) struct ReplicaClusterTests {
    static func head(_ store: String) -> UInt64 {
        guard let stats = try? CommandRunner.run(["stats", "--json", "--store", store]).stdout,
            let range = stats.range(of: #""headPosition":\d+"#, options: .regularExpression)
        else { return 0 }
        return UInt64(stats[range].dropFirst(15)) ?? 0
    }

    @Test func aReplicaEndsEqualToThePrimaryThroughAServerAndThenTheStreamLeaderFailing() async throws {
        let cluster = try NATSCluster()
        try cluster.createStream(named: "LEDGER", subject: ReplicaTests.subject)
        let primary = CLIFixture()
        #expect(try primary.run("init").status == 0)
        let logs = TemporaryDirectory("replica-logs")
        let publisher = try CommandRunner.start(
            [
                "replay", "--follow", "--to", "\(cluster.servers[0].url)/\(ReplicaTests.subject)", "--consumer",
                "replicas", "--domain", "all", "--store", primary.store,
            ], log: logs.file("publisher.log"))
        let replica = TemporaryDirectory("replica").file("store")
        let mirror = try CommandRunner.start(
            ["mirror", "--from", "\(cluster.servers[1].url)/\(ReplicaTests.subject)", "--store", replica],
            log: logs.file("mirror.log"))
        defer {
            for running in [publisher, mirror] where running.process.isRunning {
                kill(running.process.processIdentifier, SIGKILL)
                running.process.waitUntilExit()
            }
        }
        let lines = WorkloadGenerator.lines(seed: 110, count: 20_000)
        var killedLeader: String?
        for chunk in 0..<10 {
            let file = try primary.write(Array(lines[(chunk * 2_000)..<((chunk + 1) * 2_000)]), to: "chunk\(chunk).ndjson")
            #expect(try primary.run("import", file).status == 0)
            switch chunk {
            case 2: cluster.servers[2].kill()  // one server down: the stream keeps its quorum
            case 4: try cluster.servers[2].start()
            case 6:
                // Then the stream's leader: the others elect a new one, clients reconnect.
                if let leader = cluster.leader(of: "LEDGER") {
                    killedLeader = leader.name
                    leader.kill()
                    try await Task.sleep(for: .seconds(2))
                    try leader.start()
                }
            default: break
            }
        }
        #expect(killedLeader != nil, "no stream leader was found to kill")
        let target = Self.head(primary.store)
        let deadline = ContinuousClock.now + .seconds(120)
        while Self.head(replica) < target, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
        }
        let mirrorLog = (try? String(contentsOfFile: logs.file("mirror.log"), encoding: .utf8)) ?? ""
        let publisherLog = (try? String(contentsOfFile: logs.file("publisher.log"), encoding: .utf8)) ?? ""
        #expect(Self.head(replica) == target, "replica at \(Self.head(replica)) of \(target)\n\(mirrorLog)\n\(publisherLog)")
        for running in [publisher, mirror] {
            running.process.terminate()
            running.process.waitUntilExit()
        }
        let through = String(target)
        let primaryEvents = try primary.run("events", "--json", "--until", through, "--limit", "100000").stdout
        let replicaEvents = try CommandRunner.run([
            "events", "--json", "--until", through, "--limit", "100000", "--store", replica,
        ]).stdout
        #expect(primaryEvents == replicaEvents, "the replica's log differs from the primary's")
        #expect(try CommandRunner.run(["verify", "--store", replica]).status == 0)
    }
}
