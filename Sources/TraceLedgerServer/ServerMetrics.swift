import Metrics
import Synchronization
import TraceLedger

/// The server's metrics, through swift-metrics (the executable bootstraps Prometheus): counters as events
/// happen, gauges refreshed from one snapshot of the store when `/metrics` is scraped. Names follow
/// Prometheus practice: `traceledger_` prefix, base units, `_total` counters, no per-entity labels.
///
/// Sendable: swift-metrics handles are thread-safe; the per-consumer gauges are guarded by a mutex.
final class ServerMetrics: Sendable {
    private let appendDuration = Metrics.Timer(label: "traceledger_append_duration_seconds")
    private let batchSize = Recorder(label: "traceledger_append_batch_events", aggregate: true)
    private let duplicates = Counter(label: "traceledger_duplicate_events_total")
    private let headPosition = Gauge(label: "traceledger_head_position")
    private let storeBytes = Gauge(label: "traceledger_store_bytes")
    private let liveSubscribers = Gauge(label: "traceledger_live_subscribers")
    private let subscriberCount = Mutex(0)
    private let consumerGauges = Mutex<[String: (lag: Gauge, deadLetters: Gauge)]>([:])

    /// One successful append: events by domain and origin, latency, batch size, duplicates.
    func appended(_ events: [ProposedEvent], outcomes: [AppendOutcome], seconds: Double) {
        appendDuration.recordNanoseconds(Int64(seconds * 1e9))
        batchSize.record(events.count)
        var counts: [String: [String: Int]] = [:]
        for (event, outcome) in zip(events, outcomes) {
            if outcome.isDuplicate {
                duplicates.increment()
            } else {
                counts[event.content.domain.rawValue, default: [:]][event.content.origin, default: 0] += 1
            }
        }
        for (domain, byOrigin) in counts {
            for (origin, count) in byOrigin {
                Counter(
                    label: "traceledger_events_appended_total",
                    dimensions: [("domain", domain), ("origin", origin)]
                )
                .increment(by: count)
            }
        }
    }

    /// A request whose events were rejected, by the rule broken (or the error's kind).
    func rejected(_ error: LedgerError) {
        Counter(
            label: "traceledger_rejected_requests_total",
            dimensions: [("reason", error.rule ?? "\(error.kind)")]
        )
        .increment()
    }

    /// One webhook delivery and what became of it: recorded, duplicate, unmapped, bad_signature,
    /// stale_timestamp, malformed, not_configured or failed.
    func webhook(_ provider: String, outcome: String) {
        Counter(
            label: "traceledger_webhook_deliveries_total",
            dimensions: [("provider", provider), ("outcome", outcome)]
        )
        .increment()
    }

    /// A live-tail subscriber came (+1) or went (-1).
    func subscribers(_ change: Int) {
        let count = subscriberCount.withLock { count in
            count += change
            return count
        }
        liveSubscribers.record(count)
    }

    /// Refreshes the gauges from the store before a scrape.
    func refresh(from ledger: Ledger) throws {
        let (head, consumers) = try ledger.read { snapshot in
            (try snapshot.head(), try snapshot.consumerStatuses())
        }
        headPosition.record(Int64(head.position))
        storeBytes.record(ledger.usedBytes)
        consumerGauges.withLock { gauges in
            for consumer in consumers {
                let name = consumer.state.name
                let pair =
                    gauges[name]
                    ?? (
                        Gauge(label: "traceledger_consumer_lag_events", dimensions: [("consumer", name)]),
                        Gauge(label: "traceledger_consumer_dead_letters", dimensions: [("consumer", name)])
                    )
                gauges[name] = pair
                pair.lag.record(Int64(consumer.lag))
                pair.deadLetters.record(consumer.deadLetters)
            }
        }
    }
}
