import Dispatch

/// Decodes the lines of one chunk on several threads at once, keeping their order.
///
/// Decoding (JSON parse and schema validation) is the importer's dominant cost and each line is independent,
/// so the lines are split into contiguous slices, one per worker, and the results are put back in line order.
/// Not Sendable: a value holding the decoder and the worker count, used by one importer.
struct ParallelDecoder {
    let decoder: EventDecoder
    let workers: Int

    /// What became of one line.
    typealias Decoded = (number: Int, result: Result<ProposedEvent, LedgerError>)

    /// Decodes every line; the result is in the order of `lines`.
    func decode(_ lines: [NDJSONLines.Line]) -> [Decoded] {
        let slices = min(workers, max(1, lines.count / 256))
        if slices <= 1 { return lines.map { ($0.number, decodeLine($0)) } }
        var results = [Decoded?](repeating: nil, count: lines.count)
        let sliceSize = (lines.count + slices - 1) / slices
        results.withUnsafeMutableBufferPointer { output in
            let work = SharedWork(lines: lines, output: output)
            DispatchQueue.concurrentPerform(iterations: slices) { slice in
                let range = slice * sliceSize..<min(work.lines.count, (slice + 1) * sliceSize)
                for index in range {
                    work.output[index] = (work.lines[index].number, decodeLine(work.lines[index]))
                }
            }
        }
        return results.map { $0! }
    }

    /// The lines and the result slots, shared with the workers of one `concurrentPerform`. Unchecked Sendable:
    /// the lines' bytes are only read (and outlive the call), and each worker writes only its own disjoint
    /// slice of `output`.
    private struct SharedWork: @unchecked Sendable {
        let lines: [NDJSONLines.Line]
        let output: UnsafeMutableBufferPointer<Decoded?>
    }

    private func decodeLine(_ line: NDJSONLines.Line) -> Result<ProposedEvent, LedgerError> {
        Result { () throws(LedgerError) in try decoder.decode(line.bytes) }
    }
}
