import Foundation
import Testing
import TraceLedgerWorkload

/// Money is exact: totals add up to the cent, invoices match orders except where planted.
@Suite struct TotalsTests {
    @Test func orderTotalsAreExactSumsOfTheLines() throws {
        var checked = 0
        for event in Samples.events where event.type == "order.created" || event.type == "order.updated" {
            let payload = Samples.object(event.payloadJSON)
            guard let lines = payload["lines"] as? [[String: Any]] else { continue }
            var net = 0
            var tax = 0
            for line in lines {
                let quantity = try #require(line["quantity"] as? Int)
                let unit = try #require(Samples.cents(line["unitPrice"] as? String ?? ""))
                let lineTotal = try #require(Samples.cents(line["lineTotal"] as? String ?? ""))
                #expect(quantity >= 1)
                #expect(lineTotal == unit * quantity)
                net += lineTotal
                // Tax per line, rounded half up, from a rate such as "0.19" or "0.08875".
                let rateText = try #require(line["taxRate"] as? String)
                let fraction = rateText.split(separator: ".").dropFirst().first.map(String.init) ?? ""
                let rate = Int(fraction.padding(toLength: 5, withPad: "0", startingAt: 0))!
                tax += (lineTotal * rate + 50_000) / 100_000
            }
            let netTotal = try #require(Samples.cents(payload["netTotal"] as? String ?? ""))
            let taxTotal = try #require(Samples.cents(payload["taxTotal"] as? String ?? ""))
            let grandTotal = try #require(Samples.cents(payload["grandTotal"] as? String ?? ""))
            #expect(netTotal == net)
            #expect(taxTotal == tax)
            #expect(netTotal + taxTotal == grandTotal)
            checked += 1
        }
        #expect(checked > 1_000)
    }

    @Test func invoicesMatchOrdersExceptPlantedMismatches() throws {
        var mismatches = 0
        var invoices = 0
        for flow in Samples.flows {
            guard let order = flow.order else { continue }
            let net = try #require(Samples.cents(order.netTotal))
            let tax = try #require(Samples.cents(order.taxTotal))
            #expect(net + tax == Samples.cents(order.grandTotal))
            if let captured = order.capturedAmount { #expect(captured == order.grandTotal) }
            guard let invoiceEvent = flow.events.first(where: { $0.type == "invoice.posted" }) else {
                #expect(order.invoiceId == nil)
                continue
            }
            invoices += 1
            let invoice = Samples.object(invoiceEvent.payloadJSON)
            #expect(invoice["orderId"] as? String == order.orderId)
            #expect(invoice["netTotal"] as? String == order.netTotal)
            #expect(invoice["taxTotal"] as? String == order.invoiceTaxTotal)
            let invoiceTax = try #require(Samples.cents(invoice["taxTotal"] as? String ?? ""))
            let invoiceGrand = try #require(Samples.cents(invoice["grandTotal"] as? String ?? ""))
            #expect(net + invoiceTax == invoiceGrand)
            if order.invoiceTaxMismatch {
                mismatches += 1
                #expect(invoiceTax != tax)
            } else {
                #expect(invoiceTax == tax)
                #expect(invoice["grandTotal"] as? String == order.grandTotal)
            }
        }
        #expect(invoices > 2_000)
        #expect(mismatches >= 1)
    }

    @Test func plantedTroublesShowInTheGroundTruth() {
        let orders = Samples.flows.compactMap(\.order)
        #expect(orders.contains { $0.missingERP && $0.capturedAmount != nil && !$0.erpAccepted })
        #expect(orders.contains { $0.erpRejected })
        #expect(orders.contains { $0.paymentFailed && $0.cancelled })
        #expect(
            orders.contains {
                $0.refundWithoutCreditNote && $0.refundedAmount != nil && $0.creditNoteId == nil
            })
        #expect(orders.contains { $0.refundedAmount != nil && $0.creditNoteId != nil })
        #expect(orders.contains { $0.duplicateOfCustomerId != nil })
        #expect(orders.contains { !$0.oversoldStockEntities.isEmpty })
        #expect(orders.contains { $0.wasUpdated })
        for flow in Samples.flows where flow.order?.refundWithoutCreditNote == true {
            #expect(flow.events.contains { $0.type == "payment.refunded" })
            #expect(!flow.events.contains { $0.type == "invoice.credited" })
        }
        for flow in Samples.flows where flow.order?.missingERP == true {
            #expect(flow.events.contains { $0.type == "payment.captured" })
            #expect(
                !flow.events.contains {
                    $0.domain == "order" && $0.type != "order.created" && $0.type != "order.updated"
                })
        }
    }
}
