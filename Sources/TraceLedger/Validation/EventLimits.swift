/// Size limits on incoming events, documented in docs/operations.md.
public enum EventLimits {
    /// The largest NDJSON line (one event) accepted: 1 MiB.
    public static let maximumLineBytes = 1 << 20
    /// The largest payload accepted: 256 KiB, far above any order or invoice, well below what would hurt.
    public static let maximumPayloadBytes = 256 * 1024
    /// entityId and actor are index keys; LMDB keys hold at most 511 bytes.
    public static let maximumKeyFieldBytes = 400
}
