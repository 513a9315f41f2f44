import Dispatch
public import Foundation

/// What a finished `traceledger` process printed and returned.
public struct CommandResult: Sendable {
    /// The exit status, or the signal's number when `signal` is set.
    public let status: Int32
    /// The signal that ended the process, when one did (`status` is then its number, not an exit status).
    public var signal: Int32? = nil
    public let stdout: String
    public let stderr: String

    /// stdout split into non-empty lines.
    public var lines: [String] { stdout.split(separator: "\n").map(String.init) }
}

/// Runs the built `traceledger` executable, as a user would, and captures its output.
public enum CommandRunner {
    /// The `traceledger` binary next to the running test bundle (`swift build` puts them together).
    public static var executable: String {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Bundle.main.bundleURL.deletingLastPathComponent(),
            Bundle.main.bundleURL,
        ]
        for directory in candidates {
            let path = directory.appendingPathComponent("traceledger").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        fatalError(
            "traceledger is not built next to the tests (looked in \(candidates.map(\.path))); run swift build"
        )
    }

    /// Runs `traceledger arguments…` with `stdin` as standard input and an optional extra environment.
    public static func run(
        _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]
    ) throws -> CommandResult {
        let process = try start(arguments, stdin: stdin, environment: environment)
        // Read stderr on another thread so a chatty stderr cannot block the child while we drain stdout.
        let errorOutput = ErrorCollector()
        let reader = Thread {
            errorOutput.data = process.standardErrorPipe.fileHandleForReading.readDataToEndOfFile()
            errorOutput.done.signal()
        }
        reader.start()
        let out = process.standardOutputPipe.fileHandleForReading.readDataToEndOfFile()
        errorOutput.done.wait()
        let err = errorOutput.data
        process.process.waitUntilExit()
        return CommandResult(
            status: process.process.terminationStatus,
            signal: process.process.terminationReason == .uncaughtSignal ? process.process.terminationStatus : nil,
            stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }

    /// A started process with its pipes, for tests that signal it while it runs.
    public struct RunningCommand: @unchecked Sendable {
        public let process: Process
        public let standardOutputPipe: Pipe
        public let standardErrorPipe: Pipe
        /// Standard input, when the command was started with `keepStandardInputOpen`: write to it, then close it.
        public var standardInputPipe: Pipe? = nil
    }

    /// Starts `traceledger arguments…` without waiting for it.
    /// With `log`, standard output and error go to that file instead of pipes: for a long-running process
    /// whose output no one reads while it runs (a full pipe would block it).
    public static func start(
        _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:],
        keepStandardInputOpen: Bool = false, log: String? = nil
    ) throws -> RunningCommand {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        merged.removeValue(forKey: "TRACELEDGER_STORE")
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        let out = Pipe()
        let err = Pipe()
        if let log {
            FileManager.default.createFile(atPath: log, contents: nil)
            let file = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            process.standardOutput = file
            process.standardError = file
        } else {
            process.standardOutput = out
            process.standardError = err
        }
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        if keepStandardInputOpen {
            return RunningCommand(
                process: process, standardOutputPipe: out, standardErrorPipe: err, standardInputPipe: input)
        }
        try input.fileHandleForWriting.close()
        return RunningCommand(process: process, standardOutputPipe: out, standardErrorPipe: err)
    }
}

/// Standard error collected by a reader thread; `done` is signalled once `data` is complete.
private final class ErrorCollector: @unchecked Sendable {
    var data = Data()
    let done = DispatchSemaphore(value: 0)
}
