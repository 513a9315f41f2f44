import Foundation

/// The CPU time (user + system, seconds) of each thread of this process, from `/proc/self/task/*/stat`.
enum ThreadTimes {
    static func read() -> [String: Double] {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        var times: [String: Double] = [:]
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        for task in tasks {
            guard let stat = try? String(contentsOfFile: "/proc/self/task/\(task)/stat", encoding: .utf8),
                let end = stat.lastIndex(of: ")")
            else { continue }
            // Fields after the command's closing parenthesis: state is the 3rd field, utime the 14th, stime the 15th.
            let fields = stat[stat.index(after: end)...].split(separator: " ")
            guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else {
                continue
            }
            times[task] = (user + system) / ticks
        }
        return times
    }
}
