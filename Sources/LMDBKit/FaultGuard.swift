import CLMDBFaultGuard

/// Turns LMDB's reactions to a damaged data file into a message and an exit status instead of a signal.
///
/// LMDB trusts the pages it maps. A page overwritten with garbage makes it fail one of its assertions (which
/// aborts the process) or follow a corrupt page number or offset to an address outside the map (SIGSEGV); a
/// page the disk cannot deliver is a SIGBUS. With the guard installed, each of these ends the process with
/// `exitStatus` after one line on standard error that names the store, what LMDB met, and the activity under
/// way. A write transaction under way is not committed (LMDB's commit is all or nothing), so nothing is lost.
///
/// The guard takes a fault only when the faulting instruction is in liblmdb or the faulting address is in an
/// open environment's map; any other fault is handed back to the handler installed before it (the Swift
/// runtime's backtracer), so a bug elsewhere still crashes with its backtrace. Why this rather than a child
/// process or a page checker: docs/design-notes.md, "A damaged page".
public enum FaultGuard {
    /// Installs the guard for the whole process. `program` heads the message and `advice` ends it.
    public static func install(program: String, advice: String, exitStatus: Int32) {
        lmdb_fault_guard_install(program, advice, exitStatus)
    }

    /// Whether `install` ran in this process.
    public static var isInstalled: Bool { lmdb_fault_guard_installed() != 0 }

    /// Names what the process is doing, for the message ("walking the hash chain"); nil for nothing in particular.
    public static func activity(_ text: String?) {
        if let text { lmdb_fault_guard_set_activity(text) } else { lmdb_fault_guard_set_activity(nil) }
    }

    /// Notes how far the activity has got, for the message.
    public static func progress(_ position: UInt64) {
        lmdb_fault_guard_set_progress(position)
    }

    static func register(_ path: String) { lmdb_fault_guard_register(path) }

    static func unregister(_ path: String) { lmdb_fault_guard_unregister(path) }
}
