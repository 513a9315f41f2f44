import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import Synchronization

/// Splits a Server-Sent Events stream into blocks as its chunks arrive, on bytes (no strings per event).
///
/// Not Sendable: one subscriber's buffer.
struct ServerSentEventParser {
    enum Block: Equatable {
        /// A block of comment lines only (`: …`): the opening line or a heartbeat.
        case comment(String)
        /// An event: its `id:` and whether its `data:` is an envelope of that position.
        case event(id: UInt64, dataMatches: Bool)
    }

    private var buffer: [UInt8] = []
    private var searchFrom = 0

    /// The blocks completed by `chunk`.
    mutating func feed(_ chunk: ByteBuffer) -> [Block] {
        buffer.append(contentsOf: chunk.readableBytesView)
        var blocks: [Block] = []
        var start = 0
        var index = max(searchFrom, 1)
        while index < buffer.count {
            if buffer[index] == 0x0A, buffer[index - 1] == 0x0A {
                if index - 1 > start { blocks.append(Self.block(buffer[start..<(index - 1)])) }
                start = index + 1
                index = start + 1
                continue
            }
            index += 1
        }
        if start > 0 { buffer.removeFirst(min(start, buffer.count)) }
        searchFrom = max(0, buffer.count - 1)
        return blocks
    }

    private static let idPrefix = Array("id: ".utf8)
    private static let dataPrefix = Array("data: {\"position\":".utf8)

    private static func block(_ bytes: ArraySlice<UInt8>) -> Block {
        var id: UInt64?
        var dataPosition: UInt64?
        var comments: [String] = []
        for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: true) {
            if line.first == UInt8(ascii: ":") {
                comments.append(String(decoding: line.dropFirst(), as: UTF8.self))
            } else if line.starts(with: idPrefix) {
                id = number(line.dropFirst(idPrefix.count))
            } else if line.starts(with: dataPrefix) {
                dataPosition = number(line.dropFirst(dataPrefix.count))
            }
        }
        guard let id else { return .comment(comments.joined(separator: "\n")) }
        return .event(id: id, dataMatches: dataPosition == id)
    }

    /// The decimal number the bytes start with.
    private static func number(_ bytes: ArraySlice<UInt8>) -> UInt64? {
        var value: UInt64 = 0
        var digits = 0
        for byte in bytes {
            guard byte >= 0x30, byte <= 0x39, digits < 19 else { break }
            value = value * 10 + UInt64(byte - 0x30)
            digits += 1
        }
        return digits > 0 ? value : nil
    }
}

/// What one live subscriber saw.
struct SubscriberRecord: Sendable {
    /// The position its stream said it starts at (`: traceledger live tail from position N`).
    var start: UInt64?
    /// Every event's position, in the order received, with when its chunk arrived (`monotonicNanoseconds`).
    var positions: [UInt64] = []
    var receivedAt: [UInt64] = []
    /// Events whose `data:` was not the envelope of their `id:`.
    var mismatchedData = 0
    /// Why the subscriber stopped early, if it did.
    var failure: String?
}

/// Where the subscribers of one run are: how many are ready (the stream opened), finished (every event
/// arrived) or failed, and the gate that holds the finished ones open until the memory is read.
///
/// Sendable: counters and continuations behind a mutex.
final class LiveBoard: Sendable {
    struct Counts: Sendable {
        var ready = 0
        var finished = 0
        var failed = 0
    }

    private struct State {
        var counts = Counts()
        var open = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    var counts: Counts { state.withLock { $0.counts } }

    func ready() { state.withLock { $0.counts.ready += 1 } }
    func finished() { state.withLock { $0.counts.finished += 1 } }
    func failed() { state.withLock { $0.counts.failed += 1 } }

    /// Polls every 5 ms until `condition` holds or `timeout` passes; returns whether it held.
    func wait(until condition: (Counts) -> Bool, timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition(counts) { return true }
            do { try await Task.sleep(for: .milliseconds(5)) } catch { break }
        }
        return condition(counts)
    }

    /// Waits until `openGate()` (at once if it was already called).
    func waitAtGate() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state -> Bool in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    func openGate() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

enum LiveSubscriber {
    /// Opens `GET /v1/events/live` (from the next event) and reads it until `expected` events arrived; then
    /// keeps the stream open until the board's gate opens. Never throws: a failure is in the record.
    static func run(client: HTTPClient, url: String, expected: Int, board: LiveBoard) async
        -> SubscriberRecord
    {
        var record = SubscriberRecord()
        record.positions.reserveCapacity(expected)
        record.receivedAt.reserveCapacity(expected)
        var counted = false
        do {
            var request = HTTPClientRequest(url: url)
            request.headers.add(name: "Accept", value: "text/event-stream")
            let response = try await client.execute(request, timeout: .seconds(30))
            guard response.status == .ok else {
                throw BenchError("GET /v1/events/live answered \(response.status.code)")
            }
            var parser = ServerSentEventParser()
            for try await chunk in response.body {
                let now = monotonicNanoseconds()
                for block in parser.feed(chunk) {
                    switch block {
                    case .comment(let text):
                        if record.start == nil, let start = openingPosition(text) {
                            record.start = start
                            board.ready()
                        }
                    case .event(let id, let dataMatches):
                        record.positions.append(id)
                        record.receivedAt.append(now)
                        if !dataMatches { record.mismatchedData += 1 }
                    }
                }
                if record.positions.count >= expected {
                    board.finished()
                    counted = true
                    // Still inside the loop: the stream stays open while the memory is read.
                    await board.waitAtGate()
                    break
                }
            }
            if !counted {
                record.failure = "the stream ended after \(record.positions.count) of \(expected) events"
            }
        } catch {
            record.failure =
                Task.isCancelled ? "cancelled after \(record.positions.count) events" : "\(error)"
        }
        if !counted { board.failed() }
        return record
    }

    /// N of the opening comment `traceledger live tail from position N`.
    private static func openingPosition(_ comment: String) -> UInt64? {
        let prefix = " traceledger live tail from position "
        guard comment.hasPrefix(prefix) else { return nil }
        return UInt64(comment.dropFirst(prefix.count).prefix { $0.isNumber })
    }
}
