import Foundation
import Testing
import TraceLedgerTesting
import TraceLedgerWorkload

/// Separate processes on one store at once, as an operator runs them: LMDB serialises their writes, and the
/// projections never end up claiming the head while holding less than the log says.
@Suite struct ConcurrentProcessesTests {
    @Test func importsRebuildCatchUpAndReplaysAtOnceLeaveProjectionsEqualToAQuietRebuild() async throws {
        let fixture = CLIFixture()
        #expect(try fixture.run("init").status == 0)
        let shops = try (1...3).map { shop in
            try fixture.write(
                WorkloadGenerator.lines(seed: UInt64(600 + shop), count: 4_000), to: "shop\(shop).ndjson")
        }
        // A little history first, so the rebuild has something to replace.
        #expect(try fixture.run("import", shops[0]).status == 0)
        let server = try await DownstreamServer()
        let store = ["--store", fixture.store]
        var processes = shops.dropFirst().map { try! CommandRunner.start(["import", $0] + store) }
        processes.append(try CommandRunner.start(["project", "--rebuild"] + store))
        processes.append(try CommandRunner.start(["project"] + store))
        for _ in 0..<2 {
            processes.append(
                try CommandRunner.start(
                    ["replay", "--to", server.url, "--consumer", "erp-feed", "--concurrency", "4"] + store))
        }
        processes.append(try CommandRunner.start(["project", "--rebuild", "--domain", "order"] + store))
        for process in processes {
            process.process.waitUntilExit()
            let error = String(
                decoding: process.standardErrorPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            // A rebuild overtaken by a newer one of the same projection stops with a conflict (exit 4) and says so.
            let overtaken = error.contains("another rebuild")
            #expect(
                process.process.terminationStatus == 0 || overtaken,
                "\(process.process.arguments ?? []): \(error)")
        }
        try await server.stop()

        // Caught up now, the projections hold exactly what a rebuild in quiet holds.
        let live = try fixture.run("project", "--digest", "--json")
        #expect(live.status == 0)
        let quiet = try fixture.run("project", "--rebuild", "--digest", "--json")
        #expect(quiet.status == 0)
        let verify = try fixture.run("verify")
        #expect(verify.status == 0)
        #expect(Self.digests(live.lines).count == 5)
        #expect(Self.digests(live.lines) == Self.digests(quiet.lines))
        #expect(Self.field("entities", live.lines) == Self.field("entities", quiet.lines))
        #expect(
            Self.field("checkpoint", live.lines).allSatisfy {
                verify.stdout.contains("head: position \($0),")
            })
    }

    static func digests(_ lines: [String]) -> [String] {
        lines.compactMap { line in
            line.range(of: #""digest":"[0-9a-f]+""#, options: .regularExpression).map { String(line[$0]) }
        }
    }

    static func field(_ name: String, _ lines: [String]) -> [String] {
        lines.compactMap { line in
            line.range(of: "\"\(name)\":[0-9]+", options: .regularExpression).map {
                String(line[$0].dropFirst(name.count + 3))
            }
        }
    }
}
