import Foundation

/// Runs a program of a test to its end.
public enum ChildProcess {
    /// Runs `executable` with `arguments`; its exit status and everything it printed (standard output and error
    /// together, read while it runs so a long output cannot block it).
    public static func run(_ executable: String, _ arguments: [String]) throws -> (
        status: Int32, output: String
    ) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, said)
    }
}
