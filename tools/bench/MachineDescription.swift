import Foundation

/// The machine a run measured: cores, CPU, memory and the disk the stores were on.
struct MachineDescription: Codable {
    var cores: Int
    var cpu: String
    var memoryBytes: UInt64
    var directory: String
    var disk: String

    static func current(directory: String) -> MachineDescription {
        MachineDescription(
            cores: ProcessInfo.processInfo.activeProcessorCount, cpu: cpuModel(),
            memoryBytes: ProcessInfo.processInfo.physicalMemory, directory: directory,
            disk: diskDescription(of: directory))
    }

    private static func cpuModel() -> String {
        do {
            let info = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
            let line = info.split(separator: "\n").first { $0.hasPrefix("model name") }
            return line.map {
                String($0.split(separator: ":", maxSplits: 1).last ?? "").trimmingCharacters(in: .whitespaces)
            }
                ?? "unknown"
        } catch {
            return "unknown (\(error.localizedDescription))"
        }
    }

    /// The device and filesystem holding `directory`, with whether the kernel calls it rotational.
    private static func diskDescription(of directory: String) -> String {
        do {
            let mounts = try String(contentsOfFile: "/proc/mounts", encoding: .utf8).split(separator: "\n")
                .map { $0.split(separator: " ").map(String.init) }.filter { $0.count >= 3 }
            let mount = mounts.filter { directory.hasPrefix($0[1]) }.max { $0[1].count < $1[1].count }
            guard let mount else { return "unknown" }
            let device = (mount[0] as NSString).lastPathComponent
            var rotational = "?"
            let flag = "/sys/block/\(device)/queue/rotational"
            if FileManager.default.fileExists(atPath: flag) {
                rotational = try String(contentsOfFile: flag, encoding: .utf8).trimmingCharacters(
                    in: .whitespacesAndNewlines)
            }
            return "\(mount[0]) (\(mount[2]), rotational=\(rotational))"
        } catch {
            return "unknown (\(error.localizedDescription))"
        }
    }
}
