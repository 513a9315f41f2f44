import Foundation
import Testing
import TraceLedger
import TraceLedgerTesting
import TraceLedgerWorkload

/// Faults found by adversarial testing (issue 9): each shown as a user meets it.
@Suite struct HardeningTests {
    static let payment = #"{"orderId":"SO-1","amount":"1.00","currency":"EUR"}"#

    @Test func aStoreAndAFileSinkAreReadableByTheirOwnerOnly() throws {
        let fixture = CLIFixture()
        #expect(try fixture.run("init").status == 0)
        func mode(_ path: String) throws -> Int {
            (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
        }
        #expect(try mode(fixture.store) == 0o700)
        #expect(try mode(fixture.store + "/data.mdb") == 0o600)
        #expect(try mode(fixture.store + "/lock.mdb") == 0o600)
        let line = EventLine.make(type: "payment.captured", entityId: "pi_1", payload: Self.payment)
        #expect(try fixture.run("append", stdin: line + "\n").status == 0)
        let sink = fixture.directory.file("feed.ndjson")
        #expect(try fixture.run("replay", "--to", "file:" + sink, "--consumer", "c").status == 0)
        #expect(try mode(sink) == 0o600)
    }

    @Test func controlCharactersAreRefusedInIdentifiersAndEscapedWhenPrinted() throws {
        let fixture = CLIFixture()
        #expect(try fixture.run("init").status == 0)
        let hostile = EventLine.make(
            type: "payment.captured", entityId: "pi_1", payload: Self.payment,
            actor: #"user:\u001b[2Jmallory"#)
        let refused = try fixture.run("append", stdin: hostile + "\n")
        #expect(refused.status == 4)
        #expect(refused.stderr.contains("actor") && refused.stderr.contains("controlCharacters"))
        #expect(!refused.stderr.contains("\u{1B}"))
        let bidi = EventLine.make(type: "payment.captured", entityId: #"pi_\u202e1"#, payload: Self.payment)
        let reversed = try fixture.run("append", stdin: bidi + "\n")
        #expect(reversed.status == 4)
        #expect(reversed.stderr.contains("U+202E"))
        // Whatever reaches a table or a message is shown escaped, never sent to the terminal raw.
        #expect(DisplaySafety.escaped("a\u{1B}[2Jb\u{202E}c") == "a\\u{1B}[2Jb\\u{202E}c")
        #expect(DisplaySafety.escaped("two\nlines", keepingLineBreaks: true) == "two\nlines")
        #expect(DisplaySafety.escaped("é 日本 ✓") == "é 日本 ✓")
    }

    @Test func anOverlongLineIsRejectedWithoutReadingItIntoMemory() throws {
        let fixture = CLIFixture()
        #expect(try fixture.run("init").status == 0)
        let path = fixture.directory.file("long.ndjson")
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        let block = Data(repeating: UInt8(ascii: "x"), count: 1 << 20)
        for _ in 0..<24 { handle.write(block) }  // 24 MiB without a newline
        handle.write(
            Data(
                ("\n" + EventLine.make(type: "payment.captured", entityId: "pi_1", payload: Self.payment)
                    + "\n").utf8))
        try handle.close()
        let result = try fixture.run("import", path)
        #expect(result.status == 4)
        #expect(result.stderr.contains("line 1") && result.stderr.contains("longer than the limit"))
        #expect(try fixture.run("events", "--json").lines.count == 1)
    }

    @Test func readerSlotsOfKilledProcessesAreFreedAndReported() throws {
        let fixture = CLIFixture()
        #expect(try fixture.run("init").status == 0)
        // Another process keeps the store open (as a server would), so LMDB does not reset its reader table,
        // while ten readers are killed with their read transactions open.
        let holder = try Self.python(
            "import lmdb, sys, time\nenv = lmdb.open(sys.argv[1], max_dbs=64, readonly=True)\nprint('open', flush=True)\ntime.sleep(20)",
            fixture.store, wait: false)
        for _ in 0..<10 {
            let reader = try Self.python(
                "import lmdb, os, signal, sys\nenv = lmdb.open(sys.argv[1], max_dbs=64, readonly=True)\n"
                    + "txn = env.begin()\nos.kill(os.getpid(), signal.SIGKILL)", fixture.store, wait: true)
            #expect(reader.terminationReason == .uncaughtSignal)
        }
        let stats = try fixture.run("stats")
        #expect(stats.stdout.contains("10 of dead processes freed now"), "\(stats.stdout)")
        let again = try fixture.run("stats", "--json")
        #expect(again.stdout.contains("\"staleReadersFreed\":0"))
        holder.terminate()
        holder.waitUntilExit()
    }

    @Test func timesTheClockCannotHoldAreRefusedSayingWhy() throws {
        let fixture = CLIFixture()
        #expect(try fixture.run("init").status == 0)
        for (time, reason) in [
            ("2016-12-31T23:59:60Z", "leap second"), ("1500-01-01T00:00:00Z", "outside 1677-09-21"),
            ("2300-01-01T00:00:00Z", "outside 1677-09-21"),
        ] {
            let line = EventLine.make(
                type: "payment.captured", entityId: "pi_1", payload: Self.payment, occurredAt: time)
            let result = try fixture.run("append", stdin: line + "\n")
            #expect(result.status == 4)
            #expect(result.stderr.contains(reason), "\(result.stderr)")
        }
    }

    @Test func aBackupTakenWhileImportingOpensAndVerifies() throws {
        let fixture = CLIFixture()
        #expect(try fixture.run("init").status == 0)
        #expect(
            try fixture.run("import", try fixture.write(WorkloadGenerator.lines(seed: 81, count: 2_000)))
                .status == 0)
        let more = try fixture.write(WorkloadGenerator.lines(seed: 82, count: 20_000), to: "more.ndjson")
        let importer = try CommandRunner.start(["import", more, "--store", fixture.store])
        let copy = fixture.directory.file("backup")
        let backup = try fixture.run("backup", copy)
        importer.process.waitUntilExit()
        #expect(backup.status == 0, "\(backup.stderr)")
        // The copy holds one consistent snapshot: every event it claims, and it verifies as a store of its own.
        let held = try #require(backup.stdout.firstMatch(of: #/: ([0-9,]+) events/#)).1
        let count = try #require(Int(held.replacing(",", with: "")))
        #expect(count >= 2_000 && count <= 22_000)
        let verify = try CommandRunner.run(["verify", "--store", copy])
        #expect(verify.status == 0, "\(verify.stdout)")
        #expect(verify.stdout.contains("intact: \(held) events verified"), "\(verify.stdout)")
        #expect(try CommandRunner.run(["backup", copy, "--store", fixture.store]).status == 2)  // not empty
        let compacted = fixture.directory.file("compact")
        #expect(try fixture.run("backup", compacted, "--compact").status == 0)
        #expect(
            try CommandRunner.run(["verify", "--store", compacted]).stdout.contains("22,000 events verified"))
    }

    @Test func aTruncatedStoreIsAnErrorNotASignal() throws {
        let fixture = CLIFixture()
        #expect(try fixture.run("init").status == 0)
        #expect(
            try fixture.run("import", try fixture.write(WorkloadGenerator.lines(seed: 83, count: 5_000)))
                .status == 0)
        let data = fixture.store + "/data.mdb"
        let size = try #require(try FileManager.default.attributesOfItem(atPath: data)[.size] as? Int)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: data))
        try handle.truncate(atOffset: UInt64(size / 3))
        try handle.close()
        for command in [["verify", "--json"], ["stats", "--json"], ["trace", "x"], ["events", "--json"]] {
            let result = try CommandRunner.run(command + ["--store", fixture.store])
            #expect(result.status == 3, "\(command): \(result.stderr)")
            #expect(result.stderr.contains("is truncated"), "\(command): \(result.stderr)")
        }
    }

    @Test func numbersTheProjectionsCannotFoldAreRefusedByTheSchemas() throws {
        let fixture = CLIFixture()
        #expect(try fixture.run("init").status == 0)
        for quantity in ["1e999999", String(repeating: "9", count: 400), "1000000001"] {
            let line = EventLine.make(
                type: "stock.received", entityId: "SKU-1@WH-1",
                payload: #"{"sku":"SKU-1","warehouse":"WH-1","quantity":\#(quantity)}"#, domain: "stock",
                origin: "wms", actor: "service:wms")
            let result = try fixture.run("append", stdin: line + "\n")
            #expect(result.status == 4, "\(quantity)")
            #expect(result.stderr.contains("payload.quantity") && result.stderr.contains("(maximum)"))
        }
        #expect(try fixture.run("project").status == 0)
    }

    @Test func doctorSaysWhatToFix() throws {
        let fixture = CLIFixture()
        #expect(try fixture.run("init").status == 0)
        #expect(
            try fixture.run("import", try fixture.write(WorkloadGenerator.lines(seed: 84, count: 300))).status
                == 0)
        let healthy = try fixture.run("doctor")
        #expect(healthy.status == 0, "\(healthy.stdout)")
        #expect(!healthy.stdout.contains("FIX"))
        chmod(fixture.store, 0o755)
        let open = try fixture.run("doctor")
        #expect(open.status == 5)
        #expect(open.stdout.contains("FIX  only its owner can read the store (mode 755): run `chmod 700"))
    }

    /// Runs a Python snippet with `argument`; waits for it unless `wait` is false.
    static func python(_ code: String, _ argument: String, wait: Bool) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", code, argument]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        if wait {
            process.waitUntilExit()
        } else {
            // Wait until it has the store open.
            _ = output.fileHandleForReading.availableData
        }
        return process
    }
}
