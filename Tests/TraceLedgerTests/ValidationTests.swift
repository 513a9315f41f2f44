import Foundation
import Testing
import TraceLedger
import TraceLedgerTesting

@Suite struct ValidationTests {
    static let payment = #"{"orderId":"SO-1","amount":"23.80","currency":"EUR"}"#

    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let line: String
        let field: String?
        let rule: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "malformed JSON", line: #"{"traceId": "t1", "#, field: nil, rule: "json"),
        Case(
            name: "not an object", line: #"["order.created"]"#, field: nil, rule: "type"),
        Case(
            name: "missing entityId",
            line: EventLine.make(type: "payment.captured", entityId: "pi_1", payload: payment)
                .replacingFirst(#""entityId":"pi_1","#, with: ""),
            field: "entityId", rule: "required"),
        Case(
            name: "amount as a number",
            line: EventLine.make(
                type: "payment.captured", entityId: "pi_1",
                payload: #"{"orderId":"SO-1","amount":23.80,"currency":"EUR"}"#),
            field: "payload.amount", rule: "type"),
        Case(
            name: "missing payload field",
            line: EventLine.make(
                type: "payment.captured", entityId: "pi_1", payload: #"{"orderId":"SO-1","amount":"1.00"}"#),
            field: "payload.currency", rule: "required"),
        Case(
            name: "nested wrong type",
            line: EventLine.make(
                type: "order.created", entityId: "SO-1",
                payload:
                    #"{"customerId":"C","currency":"EUR","lines":[{"sku":"S","quantity":"2","unitPrice":"1.00"}],"netTotal":"2.00","taxTotal":"0.00","grandTotal":"2.00"}"#
            ),
            field: "payload.lines[0].quantity", rule: "type"),
        Case(
            name: "decimal with letters",
            line: EventLine.make(
                type: "payment.captured", entityId: "pi_1",
                payload: #"{"orderId":"SO-1","amount":"59.2x","currency":"EUR"}"#),
            field: "payload.amount", rule: "pattern"),
        Case(
            name: "unknown domain",
            line: EventLine.make(
                type: "payment.captured", entityId: "pi_1", payload: payment, domain: "shipping"),
            field: "domain", rule: "enum"),
        Case(
            name: "unknown type",
            line: EventLine.make(type: "payment.teleported", entityId: "pi_1", payload: payment),
            field: "type", rule: "schema"),
        Case(
            name: "type outside its domain",
            line: EventLine.make(
                type: "payment.captured", entityId: "pi_1", payload: payment, domain: "order"),
            field: "type", rule: "domain"),
        Case(
            name: "invalid trace id",
            line: EventLine.make(
                type: "payment.captured", entityId: "pi_1", payload: payment, traceId: "trace with spaces"),
            field: "traceId", rule: "pattern"),
        Case(
            name: "actor without a kind",
            line: EventLine.make(
                type: "payment.captured", entityId: "pi_1", payload: payment, actor: "alice"),
            field: "actor", rule: "pattern"),
        Case(
            name: "occurredAt not RFC 3339",
            line: EventLine.make(
                type: "payment.captured", entityId: "pi_1", payload: payment, occurredAt: "yesterday"),
            field: "occurredAt", rule: "pattern"),
        Case(
            name: "impossible date",
            line: EventLine.make(
                type: "payment.captured", entityId: "pi_1", payload: payment,
                occurredAt: "2026-02-30T10:00:00Z"),
            field: "occurredAt", rule: "format"),
        Case(
            name: "unknown envelope field",
            line: EventLine.make(
                type: "payment.captured", entityId: "pi_1", payload: payment, extra: #""colour":"red""#),
            field: "colour", rule: "additionalProperties"),
        Case(
            name: "negative expected version",
            line: EventLine.make(
                type: "payment.captured", entityId: "pi_1", payload: payment, expectedVersion: -1),
            field: "expectedVersion", rule: "minimum"),
        Case(
            name: "duplicate key",
            line: EventLine.make(
                type: "payment.captured", entityId: "pi_1",
                payload: #"{"orderId":"SO-1","amount":"1.00","amount":"2.00","currency":"EUR"}"#),
            field: nil, rule: "json"),
        Case(
            name: "invalid event id",
            line: EventLine.make(
                type: "payment.captured", entityId: "pi_1", payload: payment,
                eventId: "zzzzzzzz-zzzz-4zzz-8zzz-zzzzzzzzzzzz"),
            field: "eventId", rule: "pattern"),
    ]

    @Test(arguments: cases)
    func rejectsNamingTheFieldAndRule(_ testCase: Case) {
        do {
            _ = try EventDecoder().decode(testCase.line)
            Issue.record("accepted: \(testCase.line)")
        } catch {
            #expect(error.kind == .invalidEvent)
            #expect(error.rule == testCase.rule, "\(error)")
            #expect(error.field == testCase.field, "\(error)")
            #expect(!error.message.isEmpty)
        }
    }

    @Test func oversizedPayloadsAreRefused() {
        let big = String(repeating: "x", count: EventLimits.maximumPayloadBytes)
        let line = EventLine.make(
            type: "payment.captured", entityId: "pi_1",
            payload: #"{"orderId":"SO-1","amount":"1.00","currency":"EUR","note":"\#(big)"}"#)
        #expect(throws: LedgerError.self) { _ = try EventDecoder().decode(line) }
        do {
            _ = try EventDecoder().decode(line)
        } catch {
            #expect(error.rule == "maxPayloadBytes")
            #expect(error.kind == .tooLarge)
        }
    }

    @Test func invalidUTF8IsRefusedWithItsOffset() {
        var bytes = Array(
            EventLine.make(type: "payment.captured", entityId: "pi_1", payload: Self.payment).utf8)
        let index = bytes.firstIndex(of: UInt8(ascii: "S"))!  // inside "SO-1"
        bytes[index] = 0xFF
        do {
            _ = try bytes.withUnsafeBytes { try EventDecoder().decode($0) }
            Issue.record("accepted invalid UTF-8")
        } catch let error as LedgerError {
            #expect(error.rule == "json")
            #expect(error.message.contains("invalid UTF-8 at byte"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func extraPayloadFieldsAreKept() throws {
        let payload =
            #"{"orderId":"SO-1","amount":"1.00","currency":"EUR","stripe":{"charge":"ch_1","fee":"0.30"}}"#
        let event = try EventDecoder().decode(
            EventLine.make(type: "payment.captured", entityId: "pi_1", payload: payload))
        #expect(event.content.payloadText == payload)
    }

    @Test func theMessageSaysWhatToDo() {
        do {
            _ = try EventDecoder().decode(
                EventLine.make(type: "payment.teleported", entityId: "pi_1", payload: Self.payment))
        } catch {
            #expect(error.description.contains("the payment types are: payment.authorized, payment.captured"))
        }
    }
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}
