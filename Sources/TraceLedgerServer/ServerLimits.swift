import TraceLedger

/// The documented limits of the HTTP API.
public enum ServerLimits {
    /// The largest request body accepted: 8 MiB (a batch of thousands of events; one event is at most
    /// `EventLimits.maximumLineBytes`). Larger bodies get 413.
    public static let maximumBodyBytes = 8 << 20
    /// The most events one `POST /v1/events` may carry.
    public static let maximumEventsPerRequest = 10_000
    /// The most events one `GET /v1/events` page holds (and its default).
    public static let maximumPageSize = 1_000
}
