import Foundation
import Testing
import TraceLedgerServer

/// docs/openapi.json describes exactly the routes the server registers, with their roles, and is a valid
/// OpenAPI 3.1 document by a validator we did not write.
@Suite struct OpenAPITests {
    static let document = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/openapi.json").path

    @Test func theDocumentListsEveryRouteAndItsRole() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.document))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let paths = try #require(root["paths"] as? [String: [String: Any]])
        var documented: Set<String> = []
        for (path, operations) in paths {
            for (method, operation) in operations {
                let role = (operation as? [String: Any])?["x-traceledger-role"] as? String
                documented.insert("\(method.uppercased()) \(path) \(role ?? "-")")
            }
        }
        let served = Set(APIRoute.all.map { "\($0.method) \($0.path) \($0.role?.rawValue ?? "-")" })
        #expect(
            documented == served,
            "documented only: \(documented.subtracting(served)); served only: \(served.subtracting(documented))"
        )
    }

    @Test func theDocumentIsValidOpenAPI() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c",
            "import json, sys; from openapi_spec_validator import validate; validate(json.load(open(sys.argv[1])))",
            Self.document,
        ]
        let output = Pipe()
        process.standardError = output
        try process.run()
        process.waitUntilExit()
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(said)")
    }
}
