import Foundation
import LMDBKit
import Testing
import TraceLedgerTesting
import TraceLedgerWorkload

/// Every kind of error, as a user meets it: the exit code (docs/operations.md) and a message that says
/// what was wrong and what to do.
@Suite struct ErrorKindTests {
    static let payment = #"{"orderId":"SO-1","amount":"1.00","currency":"EUR"}"#

    static func fixture() throws -> CLIFixture {
        let fixture = CLIFixture()
        #expect(try fixture.run("init").status == 0)
        return fixture
    }

    @Test func invalidEventExitsFourNamingTheLineFieldAndRule() throws {
        let fixture = try Self.fixture()
        let bad = EventLine.make(type: "payment.captured", entityId: "pi_1", payload: #"{"orderId":"SO-1"}"#)
        let result = try fixture.run("append", stdin: bad + "\n")
        #expect(result.status == 4)
        #expect(result.stderr.contains("line 1: payload"))
        #expect(result.stderr.contains("(required)"))
        #expect(result.stderr.contains("nothing was appended"))
    }

    @Test func tooLargeExitsFourWithTheLimit() throws {
        let fixture = try Self.fixture()
        let note = String(repeating: "x", count: 300_000)
        let big = EventLine.make(
            type: "payment.captured", entityId: "pi_1",
            payload: #"{"orderId":"SO-1","amount":"1.00","currency":"EUR","note":"\#(note)"}"#)
        let result = try fixture.run("append", stdin: big + "\n")
        #expect(result.status == 4)
        #expect(result.stderr.contains("over the limit of"))
        #expect(result.stderr.contains("maxPayloadBytes") || result.stderr.contains("maxEventBytes"))
    }

    @Test func conflictExitsFourAndSaysToUseANewId() throws {
        let fixture = try Self.fixture()
        let id = "0b7a4c8e-2f51-4c3e-9a9e-6f0f2d1f7a11"
        let first = EventLine.make(
            type: "payment.captured", entityId: "pi_1", payload: Self.payment, eventId: id)
        #expect(try fixture.run("append", stdin: first + "\n").status == 0)
        let other = EventLine.make(
            type: "payment.captured", entityId: "pi_2", payload: Self.payment, eventId: id)
        let result = try fixture.run("append", stdin: other + "\n")
        #expect(result.status == 4)
        #expect(result.stderr.contains("already exists at position 1 with different content"))
        #expect(result.stderr.contains("use a new id"))
    }

    @Test func invalidArgumentExitsTwoWithTheAcceptedForms() throws {
        let fixture = try Self.fixture()
        let result = try fixture.run("replay", "--consumer", "erp", "--to", "ftp://erp.example.com")
        #expect(result.status == 2)
        #expect(result.stderr.contains("unknown sink \"ftp://erp.example.com\": use stdout, file:PATH"))
    }

    @Test func notFoundExitsOneAndSaysWhereToLook() throws {
        let fixture = try Self.fixture()
        let result = try fixture.run("trace", "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(result.status == 1)
        #expect(result.stderr.contains("no events in trace 4bf92f3577b34da6a3ce929d0e0e4736; check the id"))
    }

    @Test func notAStoreExitsOneAndNamesTheCommandThatCreatesOne() throws {
        let directory = TemporaryDirectory("not-a-store")
        let result = try CommandRunner.run(["stats", "--store", directory.file("nothing-here")])
        #expect(result.status == 1)
        #expect(result.stderr.contains("there is no TraceLedger store at"))
        #expect(result.stderr.contains("traceledger init --store"))
    }

    @Test func storageFailureExitsOneWithTheCause() throws {
        let result = try CommandRunner.run(["init", "--store", "/dev/null/store"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("/dev/null"))
    }

    @Test func corruptedRecordsExitThreeAndPointAtVerify() throws {
        let fixture = try Self.fixture()
        let trace = "4bf92f3577b34da6a3ce929d0e0e4736"
        let line = EventLine.make(
            type: "payment.captured", entityId: "pi_1", payload: Self.payment, traceId: trace)
        #expect(try fixture.run("append", stdin: line + "\n").status == 0)
        let environment = try Environment(path: fixture.store)
        try environment.write { transaction in
            let events = try environment.openDatabase(named: "events", in: transaction)
            try transaction.put(
                in: events, key: withUnsafeBytes(of: UInt64(1).bigEndian) { Array($0) }, value: [1, 0])
        }
        let result = try fixture.run("trace", trace)
        #expect(result.status == 3)
        #expect(result.stderr.contains("position 1"))
        #expect(result.stderr.contains("run `traceledger verify`"))
    }

    /// A disk too full for even the lock file: `init` says so, dies of no signal and leaves nothing half-made.
    @Test(.enabled(if: TmpfsMount.isAvailable, "needs root to mount a small tmpfs"))
    func initOnAFullDiskLeavesNothingHalfMade() throws {
        let mount = try TmpfsMount(bytes: 16 * 1024)
        defer { mount.unmount() }
        let store = mount.path + "/store"
        let result = try CommandRunner.run(["init", "--store", store])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("no space left"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: store + "/data.mdb"))
    }

    /// A full disk: the import stops with exit 1 and says so, and what was acknowledged before is intact.
    @Test(.enabled(if: TmpfsMount.isAvailable, "needs root to mount a small tmpfs"))
    func aFullDiskIsUnavailableAndLosesNothingAcknowledged() throws {
        let mount = try TmpfsMount(bytes: 768 * 1024)
        defer { mount.unmount() }
        let store = mount.path + "/store"
        #expect(try CommandRunner.run(["init", "--store", store]).status == 0)
        let inputs = TemporaryDirectory("disk-full")
        let small = inputs.file("small.ndjson")
        try (WorkloadGenerator.lines(seed: 5, count: 200).joined(separator: "\n") + "\n").write(
            toFile: small, atomically: true, encoding: .utf8)
        #expect(try CommandRunner.run(["import", small, "--store", store]).status == 0)
        let big = inputs.file("big.ndjson")
        try (WorkloadGenerator.lines(seed: 6, count: 20_000).joined(separator: "\n") + "\n").write(
            toFile: big, atomically: true, encoding: .utf8)
        let full = try CommandRunner.run(["import", big, "--store", store])
        #expect(full.status == 1)
        #expect(
            full.stderr.contains("is full") && full.stderr.contains("free space and retry"), "\(full.stderr)")
        let verify = try CommandRunner.run(["verify", "--store", store])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        let trace = try CommandRunner.run(["events", "--limit", "200", "--json", "--store", store])
        #expect(trace.lines.count == 200)
    }
}

/// A small tmpfs mounted for one test, to fill a disk for real.
struct TmpfsMount {
    private let directory = TemporaryDirectory("tmpfs")
    let path: String

    static let isAvailable: Bool = {
        guard getuid() == 0, let mount = try? TmpfsMount(bytes: 64 * 1024) else { return false }
        mount.unmount()
        return true
    }()

    init(bytes: Int) throws {
        path = directory.file("mount")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard Self.shell("mount", "-t", "tmpfs", "-o", "size=\(bytes)", "tmpfs", path) == 0 else {
            throw CocoaError(.fileWriteNoPermission)
        }
    }

    func unmount() { _ = Self.shell("umount", path) }

    private static func shell(_ arguments: String...) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
