import Foundation

/// Runs Python code of a test: how tests check what we write with libraries we did not write
/// (`prometheus_client`, `cloudevents`, `tlog_scales`, …).
public enum PythonScript {
    /// Runs `python3 -c script arguments…` to its end; its exit status and everything it printed (standard
    /// output and error together, read while it runs so a long output cannot block it).
    public static func run(_ script: String, _ arguments: [String] = []) throws -> (
        status: Int32, output: String
    ) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, said)
    }
}
