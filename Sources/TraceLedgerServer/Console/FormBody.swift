import Foundation
import Hummingbird
import NIOCore
import TraceLedger

/// A posted HTML form (`application/x-www-form-urlencoded`), bounded like every body the server reads.
///
/// Sendable: plain values.
struct FormBody: Sendable {
    private let fields: [String: String]

    init(_ request: Request) async throws {
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: 64 * 1024)
        } catch is NIOTooManyBytesError {
            throw APIError(LedgerError(.tooLarge, "the form is over 64 KiB"))
        }
        self.init(encoded: String(decoding: body.readableBytesView, as: UTF8.self))
    }

    init(encoded: String) {
        var fields: [String: String] = [:]
        for pair in encoded.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            let name = decode(parts[0])
            if fields[name] == nil { fields[name] = parts.count > 1 ? decode(parts[1]) : "" }
        }
        self.fields = fields
    }

    subscript(name: String) -> String? { fields[name] }
}
