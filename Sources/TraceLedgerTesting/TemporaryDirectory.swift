import Foundation

/// A fresh directory under the system's temporary folder, removed when the value is released.
///
/// Sendable: it only holds its path; removal happens once, in deinit.
public final class TemporaryDirectory: Sendable {
    public let path: String

    /// Creates an empty directory named after `purpose`.
    public init(_ purpose: String = "traceledger") {
        let name = "\(purpose)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))"
        path = FileManager.default.temporaryDirectory.appendingPathComponent(name).path
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            fatalError("cannot create the temporary directory \(path): \(error)")
        }
    }

    /// A path inside the directory.
    public func file(_ name: String) -> String { path + "/" + name }

    deinit {
        do { try FileManager.default.removeItem(atPath: path) } catch {
            print("warning: could not remove \(path): \(error)")
        }
    }
}
