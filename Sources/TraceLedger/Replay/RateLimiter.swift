/// A token bucket shared by a replay's lanes: at most `rate` events per second, in bursts of one second.
actor RateLimiter {
    private let rate: Double
    private var tokens: Double
    private var last = ContinuousClock.now

    init(rate: Double) {
        self.rate = rate
        self.tokens = rate
    }

    /// Waits until `count` events may be sent.
    func acquire(_ count: Int) async throws {
        while true {
            let now = ContinuousClock.now
            let elapsed = now - last
            last = now
            tokens = min(rate, tokens + rate * elapsed.seconds)
            if tokens >= Double(count) || tokens >= rate {
                tokens -= Double(count)
                return
            }
            try await Task.sleep(for: .seconds((Double(count) - tokens) / rate))
        }
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
