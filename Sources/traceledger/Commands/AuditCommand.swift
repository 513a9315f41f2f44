import ArgumentParser
import Foundation
import TraceLedger

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract:
            "Report every change to money, with who, where and when, totals, and a verified hash chain.",
        discussion: """
            Lists payments (authorized, captured, refunded), invoices (posted, paid, credited) and order totals \
            (created, updated). --from and --until match occurredAt (--until is exclusive). The report walks the \
            hash chain from position 1 to its last entry and says so; exit 3 when the chain is broken.
            --format csv writes RFC 4180 CSV (header row, plain decimals, UTC times) to stdout and the totals \
            and verification to stderr, so the file opens cleanly in a spreadsheet.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json, csv
    }

    @OptionGroup var store: StoreOptions

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Only these domains, comma-separated (order, payment, invoice).", valueName: "domains"))
    var domain: String?

    @Option(
        name: .long, help: ArgumentHelp("Changes that occurred at or after this time.", valueName: "time"))
    var from: String?

    @Option(name: .long, help: ArgumentHelp("Changes that occurred before this time.", valueName: "time"))
    var until: String?

    @Option(name: .long, help: "Only changes made by this actor.")
    var actor: String?

    @Option(name: .long, help: "Only changes from this origin system.")
    var origin: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Also write a signed checkpoint and each listed change's inclusion proof into this directory.",
            valueName: "dir"))
    var proofs: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "With --proofs: the signer key (else $TRACELEDGER_CHECKPOINT_KEY).", valueName: "keyfile"))
    var key: String?

    @Option(name: .long, help: "table, json or csv.")
    var format = Format.table

    func validate() throws {
        _ = try domains()
        for (name, value) in [("--from", from), ("--until", until)] {
            if let value, Timestamp(rfc3339: value) == nil {
                throw ValidationError(
                    "\(name) takes an RFC 3339 time or a date, such as 2026-11-02 or 2026-11-02T10:00:00Z")
            }
        }
    }

    private func domains() throws -> Set<Domain>? {
        guard let domain else { return nil }
        return Set(
            try domain.split(separator: ",").map { name in
                guard let value = Domain(rawValue: String(name)),
                    [.order, .payment, .invoice].contains(value)
                else {
                    throw ValidationError(
                        "--domain takes order, payment and invoice, comma-separated; not \(name)")
                }
                return value
            })
    }

    func run() async throws {
        let projections = ProjectionEngine(ledger: try store.openLedger())
        try await ProjectionProgress.catchUp(projections)
        let query = AuditQuery(
            domains: try domains(), from: from.flatMap { Timestamp(rfc3339: $0) },
            until: until.flatMap { Timestamp(rfc3339: $0) }, actor: actor, origin: origin)
        let report = try AuditReport.make(query, projections: projections)
        let head = try projections.ledger.head()
        switch format {
        case .table: AuditPrinter.table(report, head: head)
        case .json: print(AuditPrinter.json(report, head: head))
        case .csv: AuditPrinter.csv(report, head: head)
        }
        if case .broken = report.verification { throw ExitCode(ExitStatus.verificationFailed) }
        if let proofs { try await writeProofs(of: report, into: proofs, ledger: projections.ledger) }
    }

    /// The checkpoint at the head, signed now, and every entry's inclusion proof in that tree: what an auditor
    /// needs to check each row offline (`traceledger check-proof proofs/N.json --checkpoint checkpoint --key …`).
    private func writeProofs(of report: AuditReport, into directory: String, ledger: Ledger) async throws {
        guard let path = key ?? ProcessInfo.processInfo.environment["TRACELEDGER_CHECKPOINT_KEY"] else {
            throw LedgerError(
                .invalidArgument,
                "--proofs needs --key KEYFILE (made by `traceledger keygen`) to sign the checkpoint")
        }
        let signer = try ProofFiles.signer(path)
        let files = FileManager.default
        do {
            try files.createDirectory(atPath: directory + "/proofs", withIntermediateDirectories: true)
        } catch {
            throw LedgerError(.storage, "cannot create \(directory)/proofs: \(error.localizedDescription)")
        }
        let note = try await ledger.checkpoint(signedWith: signer)
        let size = try Checkpoint(note: note, key: signer.verifier).size
        try Self.write(note, to: directory + "/checkpoint")
        try Self.write(signer.verifier.description + "\n", to: directory + "/verifier-key")
        // Proofs in the checkpoint's tree: later appends do not change them, so a read snapshot will do.
        try ledger.read { snapshot in
            let root = try snapshot.merkleRoot(size: size).root
            for entry in report.entries where entry.position <= size {
                let proof = try snapshot.inclusionProof(position: entry.position, treeSize: size)
                guard let event = try snapshot.event(at: entry.position) else { continue }
                try Self.write(
                    proof.json(event: event, root: root) + "\n",
                    to: directory + "/proofs/\(entry.position).json")
            }
        }
        Terminal.error(
            "wrote the checkpoint at size \(size) and \(report.entries.count) inclusion proofs to \(directory); check one "
                + "with `traceledger check-proof \(directory)/proofs/POSITION.json --checkpoint \(directory)/checkpoint "
                + "--key VERIFIER_KEY` (use the verifier key you hold, not the copy beside the proofs)")
    }

    private static func write(_ text: String, to path: String) throws {
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw LedgerError(.storage, "cannot write \(path): \(error.localizedDescription)")
        }
    }
}
