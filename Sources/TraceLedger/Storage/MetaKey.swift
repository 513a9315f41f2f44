/// Every key of the `meta` database, in one place (docs/record-format.md describes each value).
enum MetaKey {
    /// `traceledger/<format>`: tells a TraceLedger store from any other LMDB environment.
    case format
    /// position (u64) ‖ hash (32 bytes) ‖ recordedAt (i64): the last event of the log.
    case chainHead
    /// The id (u32) of the zstd dictionary new records are compressed with.
    case currentDictionary
    /// The head position when the last dictionary was trained.
    case dictionaryTrainedAt
    /// One zstd dictionary's bytes, by id.
    case dictionary(id: UInt32)
    /// The first layout's marker of a complete `orders` index (one byte, 1): builds of that time rebuild the
    /// index when it is absent. This build removes it when it rebuilds the index in its own layout.
    case orderIndexComplete
    /// One byte, the `orders` index's layout (`OrderIndex.layout`), once it holds the references of every
    /// event; a store without it, or still holding `orders.complete`, rebuilds the index on open.
    case orderIndexLayout
    /// The Merkle tree's right edge (`MerkleFrontier.encoded`), at the head's size.
    case merkleFrontier
    /// Present on a replica: the URL of the stream it mirrors (UTF-8). Appends other than the mirror's are
    /// refused while it is there.
    case replicaOrigin
    /// On a replica: the highest position the primary had published when the mirror last looked (u64).
    case replicaPrimaryHead
    /// On a replica: the name of its durable JetStream consumer (UTF-8), its own so a new replica starts at
    /// the stream's first message.
    case replicaConsumer
    /// The event-id index's sweep under way (`EventIdIndex.Sweep`): the generation's last position (u64) and
    /// how many of its sorted entries are in `event_ids` (u64); absent when no sweep is under way.
    case eventIdsSettling

    /// The prefix every dictionary key starts with (for counting them).
    static let dictionaryPrefix = Array("dictionary/".utf8)

    var bytes: [UInt8] {
        switch self {
        case .format: Array("format".utf8)
        case .chainHead: Array("chain.head".utf8)
        case .currentDictionary: Array("dictionary.current".utf8)
        case .dictionaryTrainedAt: Array("dictionary.trainedAt".utf8)
        case .dictionary(let id): MetaKey.dictionaryPrefix + id.bigEndianBytes
        case .orderIndexComplete: Array("orders.complete".utf8)
        case .orderIndexLayout: Array("orders.layout".utf8)
        case .merkleFrontier: Array("merkle.frontier".utf8)
        case .replicaOrigin: Array("replica.origin".utf8)
        case .replicaPrimaryHead: Array("replica.primaryHead".utf8)
        case .replicaConsumer: Array("replica.consumer".utf8)
        case .eventIdsSettling: Array("event_ids.settling".utf8)
        }
    }
}
