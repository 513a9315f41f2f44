public import Foundation
import ZstdKit

/// Stores written by earlier builds, kept to test what this build does with them (`Fixtures/stores/*/README.md`
/// says how each was made and what its build printed of it).
public enum StoreFixtures {
    /// Writes the format-1 store's data file into a new store directory `directory`.
    public static func installFormatOneStore(at directory: String) throws {
        let compressed = try ProviderFixtures.bytes("stores/format-1/data.mdb.zst")
        let data = try compressed.withUnsafeBytes { frame in
            guard let size = ZstdCodec.contentSize(ofStandardFrame: frame) else {
                throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: "data.mdb.zst"])
            }
            var data: [UInt8] = []
            try ZstdCodec().decompress(frame, originalSize: size, appendingTo: &data)
            return data
        }
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try Data(data).write(to: URL(fileURLWithPath: directory + "/data.mdb"))
    }

    /// The text of a file beside the format-1 store (`events.sha256`, `checkpoint-1500.txt`, …), without a
    /// trailing newline.
    public static func formatOneText(_ name: String) throws -> String {
        String(decoding: try ProviderFixtures.bytes("stores/format-1/" + name), as: UTF8.self)
            .trimmingCharacters(in: .newlines)
    }

    /// The path of a file beside the format-1 store, for a command that reads it.
    public static func formatOnePath(_ name: String) throws -> String {
        guard let url = Bundle.module.url(forResource: "Fixtures/stores/format-1/" + name, withExtension: nil)
        else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: name])
        }
        return url.path
    }
}
