import JSONKit

/// A customer as the customers projection holds it: identity fields, a merge, and whether it was forgotten.
///
/// Sendable: plain values.
struct CustomerState: EntityState {
    var customerId: String
    var email: String?
    var name: String?
    var vatId: String?
    /// The billing address as compact JSON.
    var billingAddress: String?
    /// The customer this duplicate was merged into.
    var mergedInto: String?
    /// The identity was erased on request (`customer.updated` with `"forgotten": true`): the fields are gone.
    var forgotten = false
    var traceId: String
    var createdAt: Timestamp
    var firstPosition: UInt64
    var lastPosition: UInt64

    /// The e-mail as duplicates are matched: trimmed and lower-cased.
    var normalisedEmail: String? {
        email.map(CustomerState.normalise(email:)).flatMap { $0.isEmpty ? nil : $0 }
    }
    /// The VAT id as duplicates are matched: without spaces, upper-cased.
    var normalisedVatId: String? {
        vatId.map { $0.filter { !$0.isWhitespace }.uppercased() }.flatMap { $0.isEmpty ? nil : $0 }
    }

    static func normalise(email: String) -> String { email.trimmingWhitespace().lowercased() }

    init(customerId: String, traceId: String, createdAt: Timestamp, position: UInt64) {
        self.customerId = customerId
        self.traceId = traceId
        self.createdAt = createdAt
        self.firstPosition = position
        self.lastPosition = position
    }

    init(decoding reader: inout StateReader) throws {
        customerId = try reader.string()
        email = try reader.optionalString()
        name = try reader.optionalString()
        vatId = try reader.optionalString()
        billingAddress = try reader.optionalString()
        mergedInto = try reader.optionalString()
        forgotten = try reader.bool()
        traceId = try reader.string()
        createdAt = try reader.timestamp()
        firstPosition = try reader.uint64()
        lastPosition = try reader.uint64()
    }

    func encode(into writer: inout StateWriter) {
        writer.write(customerId)
        writer.write(email)
        writer.write(name)
        writer.write(vatId)
        writer.write(billingAddress)
        writer.write(mergedInto)
        writer.write(forgotten)
        writer.write(traceId)
        writer.write(createdAt)
        writer.write(firstPosition)
        writer.write(lastPosition)
    }

    var fields: JSONObject {
        var object = JSONObject()
        object.set("customerId", customerId)
        object.set("email", email)
        object.set("name", name)
        object.set("vatId", vatId)
        if let billingAddress {
            do {
                object["billingAddress"] = try JSONParser.parse(billingAddress).value
            } catch {
                object["billingAddress"] = .string(billingAddress)
            }
        }
        object.set("mergedInto", mergedInto)
        object["forgotten"] = .bool(forgotten)
        object.set("createdAt", createdAt)
        object.set("traceId", traceId)
        return object
    }
}

/// The customers projection: identity fields, merges and erasure, plus an index of normalised e-mails and
/// VAT ids that `reconcile` reads to find duplicates.
///
/// Rules: a customer is created once; updates and merges need a created customer that was not forgotten;
/// a customer cannot be merged into itself.
enum CustomerFold: DomainFold {
    typealias State = CustomerState
    static let domain = Domain.customer
    static let needsPreviousState = true

    static func apply(_ event: ProjectionEvent, to state: inout CustomerState?) -> String? {
        var customer: CustomerState
        if event.type == "customer.created" {
            if let state { return "the customer was already created at position \(state.firstPosition)" }
            customer = CustomerState(
                customerId: event.entityId, traceId: event.traceId, createdAt: event.occurredAt,
                position: event.position)
        } else {
            guard let existing = state else { return "\(event.type) for a customer that was never created" }
            guard !existing.forgotten else { return "\(event.type) for a customer who was forgotten" }
            customer = existing
        }
        switch event.verb {
        case "created", "updated", "erased":
            // `customer.erased` (traceledger erase) always says forgotten; an update may say it too.
            if event.member("forgotten")?.boolValue == true {
                customer.email = nil
                customer.name = nil
                customer.vatId = nil
                customer.billingAddress = nil
                customer.forgotten = true
                break
            }
            if let email = event.string("email") { customer.email = email }
            if let name = event.string("name") { customer.name = name }
            if let vatId = event.string("vatId") { customer.vatId = vatId }
            if let address = event.member("billingAddress"), address.objectValue != nil {
                customer.billingAddress = address.serialized()
            }
        case "merged":
            guard let into = event.string("intoCustomerId") else {
                return "customer.merged without intoCustomerId"
            }
            guard into != customer.customerId else { return "merged into itself" }
            customer.mergedInto = into
        default:
            return nil
        }
        customer.lastPosition = event.position
        state = customer
        return nil
    }

    static func didApply(
        _ event: ProjectionEvent, entity: String, before: CustomerState?, after: CustomerState?,
        index: FoldIndex
    ) throws {
        guard before?.email != after?.email || before?.vatId != after?.vatId else { return }
        if before?.normalisedEmail != after?.normalisedEmail {
            if let old = before?.normalisedEmail {
                index.delete(ProjectionKey.make(ProjectionKey.email, old, entity))
            }
            if let new = after?.normalisedEmail {
                index.put(ProjectionKey.make(ProjectionKey.email, new, entity))
            }
        }
        if before?.normalisedVatId != after?.normalisedVatId {
            if let old = before?.normalisedVatId {
                index.delete(ProjectionKey.make(ProjectionKey.vat, old, entity))
            }
            if let new = after?.normalisedVatId {
                index.put(ProjectionKey.make(ProjectionKey.vat, new, entity))
            }
        }
    }
}

extension String {
    /// The string without leading and trailing white space.
    func trimmingWhitespace() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }),
            let last = lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return String(self[first...last])
    }
}
