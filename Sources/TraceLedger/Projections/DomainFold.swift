import JSONKit

/// The state of one entity in a projection: stored as canonical bytes, shown as ordered fields.
protocol EntityState: Sendable, Equatable {
    init(decoding reader: inout StateReader) throws
    func encode(into writer: inout StateWriter)
    /// The fields a person reads, in display order (money as decimal strings): what `state` prints, `--json`
    /// writes and `--diff` compares.
    var fields: JSONObject { get }
    /// The position of the last event applied.
    var lastPosition: UInt64 { get }
}

/// One domain's projection as a fold of the log: which entity an event changes, and how.
///
/// The same `apply` folds the whole log into the projection and one entity's events into an as-of state,
/// so the two can never disagree.
protocol DomainFold {
    associatedtype State: EntityState
    static var domain: Domain { get }
    /// Whether events of `domain` and `type` can concern this projection (a cheap filter before anything is
    /// parsed).
    static func concerns(_ domain: Domain, _ type: String) -> Bool
    /// The entity of this projection that `event` changes, or nil when it changes none.
    static func target(of event: ProjectionEvent, index: FoldIndex) throws -> String?
    /// Applies `event` to `state` (nil before the entity's first event).
    ///
    /// - Returns: nil when applied; otherwise why the event cannot be applied (an anomaly), and `state` is
    ///   left unchanged.
    static func apply(_ event: ProjectionEvent, to state: inout State?) -> String?
    /// Whether `didApply` needs the state before the event (copying it costs; only customers need it).
    static var needsPreviousState: Bool { get }
    /// Maintains the projection's secondary keys after `event` changed `entity` from `before` to `after`.
    static func didApply(
        _ event: ProjectionEvent, entity: String, before: State?, after: State?, index: FoldIndex)
        throws
}

extension DomainFold {
    static func concerns(_ domain: Domain, _ type: String) -> Bool { domain == self.domain }

    static var needsPreviousState: Bool { false }

    static func target(of event: ProjectionEvent, index: FoldIndex) throws -> String? {
        event.domain == domain ? event.entityId : nil
    }

    static func didApply(
        _ event: ProjectionEvent, entity: String, before: State?, after: State?, index: FoldIndex
    ) throws {}
}

extension Domain {
    /// The domains that have a projection, in the order they are reported (the ledger's own events have none).
    public static let projected: [Domain] = [.order, .payment, .stock, .invoice, .customer]
}
