import Foundation

/// Runs Python code of a test: how tests check what we write with libraries we did not write
/// (`prometheus_client`, `cloudevents`, `tlog_scales`, …).
public enum PythonScript {
    /// Runs `python3 -c script arguments…` to its end; its exit status and everything it printed (standard
    /// output and error together, read while it runs so a long output cannot block it).
    public static func run(_ script: String, _ arguments: [String] = []) throws -> (
        status: Int32, output: String
    ) {
        try ChildProcess.run("/usr/bin/env", ["python3", "-c", script] + arguments)
    }
}
