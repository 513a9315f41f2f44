import Foundation
import Testing
import TraceLedgerWorkload

/// Stock stays positive except for the planted oversold stocks; duplicates really are duplicates.
@Suite struct StockAndCustomerTests {
    @Test func onlyPlantedStocksGoBelowZero() throws {
        let planted = Set(Samples.flows.compactMap(\.order).flatMap(\.oversoldStockEntities))
        #expect(!planted.isEmpty && planted.count <= WorkloadConfiguration.realistic.oversoldStockCount)
        var onHand: [String: Int] = [:]
        var reserved: [String: Int] = [:]
        var everNegative: Set<String> = []
        for event in Samples.events where event.domain == "stock" {
            let payload = Samples.object(event.payloadJSON)
            let key = event.entityId
            let quantity = payload["quantity"] as? Int ?? 0
            switch event.type {
            case "stock.received": onHand[key, default: 0] += quantity
            case "stock.reserved": reserved[key, default: 0] += quantity
            case "stock.released": reserved[key, default: 0] -= quantity
            case "stock.shipped":
                onHand[key, default: 0] -= quantity
                reserved[key, default: 0] -= quantity
            case "stock.adjusted": onHand[key, default: 0] += try #require(payload["delta"] as? Int)
            case "stock.counted": onHand[key] = try #require(payload["onHand"] as? Int)
            default: Issue.record("unexpected \(event.type)")
            }
            #expect(reserved[key, default: 0] >= 0)
            if onHand[key, default: 0] - reserved[key, default: 0] < 0 { everNegative.insert(key) }
        }
        #expect(
            everNegative.isSubset(of: planted), "unplanted oversell: \(everNegative.subtracting(planted))")
        #expect(!everNegative.isEmpty)
    }

    @Test func duplicateCustomersShareANormalisedEmailOrAVatId() throws {
        var created: [String: [String: Any]] = [:]
        for flow in Samples.flows {
            for event in flow.events where event.type == "customer.created" {
                created[event.entityId] = Samples.object(event.payloadJSON)
            }
        }
        func normalised(_ email: Any?) -> String {
            ((email as? String) ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        }
        var duplicates = 0
        for order in Samples.flows.compactMap(\.order) {
            guard let originalId = order.duplicateOfCustomerId else { continue }
            let duplicate = try #require(created[order.customerId])
            let original = try #require(created[originalId])
            let sameEmail = normalised(duplicate["email"]) == normalised(original["email"])
            let sameVat =
                duplicate["vatId"] != nil && duplicate["vatId"] as? String == original["vatId"] as? String
            #expect(sameEmail || sameVat)
            #expect(duplicate["email"] as? String != original["email"] as? String || sameVat)
            duplicates += 1
        }
        #expect(duplicates >= 5)
        let merges = Samples.flows.compactMap(\.mergedCustomer)
        #expect(!merges.isEmpty)
        for merge in merges { #expect(created[merge.duplicateId] != nil && created[merge.intoId] != nil) }
    }

    @Test func returningCustomersAreReused() {
        let orders = Samples.flows.compactMap(\.order)
        let customers = Set(orders.map(\.customerId))
        #expect(customers.count < orders.count * 6 / 10)
        #expect(orders.filter(\.isNewCustomer).count == customers.count)
    }
}
