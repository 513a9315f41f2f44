import Dispatch

/// Decodes the lines of one chunk on several threads at once, keeping their order.
///
/// Decoding (JSON parse and schema validation) is the importer's dominant cost and each line is independent,
/// so the lines are split into contiguous slices, one per worker, each decoded by `EventDecoder.decodeBatch`,
/// and the slices' batches are joined in line order.
/// Not Sendable: a value holding the decoder and the worker count, used by one importer.
struct ParallelDecoder {
    let decoder: EventDecoder
    let workers: Int

    /// Decodes every line into one batch, in the order of `lines`.
    func decode(_ lines: [NDJSONLines.Line]) -> DecodedBatch {
        let slices = min(workers, max(1, lines.count / 256))
        if slices <= 1 { return decoder.decodeBatch(lines: lines) }
        var results = [DecodedBatch](repeating: DecodedBatch(), count: slices)
        let sliceSize = (lines.count + slices - 1) / slices
        results.withUnsafeMutableBufferPointer { output in
            let work = SharedWork(lines: lines, output: output)
            DispatchQueue.concurrentPerform(iterations: slices) { slice in
                let range = slice * sliceSize..<min(work.lines.count, (slice + 1) * sliceSize)
                work.output[slice] = decoder.decodeBatch(lines: work.lines[range])
            }
        }
        return results.reduce(into: DecodedBatch()) { $0.append(contentsOf: $1) }
    }

    /// The lines and the result slots, shared with the workers of one `concurrentPerform`. Unchecked Sendable:
    /// the lines' bytes are only read (and outlive the call), and each worker writes only its own slot.
    private struct SharedWork: @unchecked Sendable {
        let lines: [NDJSONLines.Line]
        let output: UnsafeMutableBufferPointer<DecodedBatch>
    }
}
