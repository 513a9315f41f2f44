import Foundation
import Testing
import TraceLedgerIngest
import TraceLedgerTesting

/// The providers' official signature vectors, and what a rotation, a wrong secret or a tampered byte do.
@Suite struct SignatureTests {
    // Shopify's documented example: secret `test_secret_key`, body `{"foo": "bar"}`.
    let shopifyBody = Array(#"{"foo": "bar"}"#.utf8)
    let shopifyVector = "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g="

    @Test func shopifysVectorSignsAndVerifies() throws {
        #expect(ShopifySignature.sign(shopifyBody, secret: "test_secret_key") == shopifyVector)
        try ShopifySignature(secrets: ["test_secret_key"]).verify(body: shopifyBody, header: shopifyVector)
    }

    @Test func shopifyRefusesAWrongSecretATamperedByteAndNoHeader() {
        for (secrets, body, header) in [
            (["another_secret"], shopifyBody, Optional(shopifyVector)),
            (["test_secret_key"], Array(#"{"foo": "baz"}"#.utf8), shopifyVector),
            (["test_secret_key"], shopifyBody, nil),
            (["test_secret_key"], shopifyBody, "not base64!"),
            ([], shopifyBody, shopifyVector),
        ] {
            #expect(throws: IngestError.self) {
                try ShopifySignature(secrets: secrets).verify(body: body, header: header)
            }
        }
    }

    @Test func shopifyAcceptsEitherSecretDuringARotation() throws {
        let rotating = ShopifySignature(secrets: ["new_secret", "test_secret_key"])
        try rotating.verify(body: shopifyBody, header: shopifyVector)
        try rotating.verify(
            body: shopifyBody, header: ShopifySignature.sign(shopifyBody, secret: "new_secret"))
    }

    // Stripe's vector (stripe-dotnet EventUtilityTest): secret `webhook_secret`, t = 1533204620.
    let stripeTime: Int64 = 1_533_204_620
    let stripeVector = "2220f87ef101a04665f11cdf770523143f875572008577fa0f20882ddb9cc3c7"

    @Test func stripesVectorIsAcceptedAtPlus100AndRefusedAtPlus400() throws {
        let body = try ProviderFixtures.bytes("stripe/event_test_signature.json")
        #expect(
            StripeSignature.sign(body, secret: "webhook_secret", timestamp: stripeTime)
                == "t=\(stripeTime),v1=\(stripeVector)")
        let check = StripeSignature(secrets: ["webhook_secret"])
        let header = "t=\(stripeTime),v1=\(stripeVector)"
        try check.verify(body: body, header: header, now: stripeTime + 100)
        let stale = #expect(throws: IngestError.self) {
            try check.verify(body: body, header: header, now: stripeTime + 400)
        }
        #expect(stale?.kind == .staleTimestamp)
        #expect(stale?.message.contains("400 s from now") == true)
    }

    @Test func stripeRefusesTheVectorWithItsTrailingNewlineStripped() throws {
        var body = try ProviderFixtures.bytes("stripe/event_test_signature.json")
        #expect(body.last == UInt8(ascii: "\n"))
        body.removeLast()
        let error = #expect(throws: IngestError.self) {
            try StripeSignature(secrets: ["webhook_secret"]).verify(
                body: body, header: "t=\(stripeTime),v1=\(stripeVector)", now: stripeTime + 100)
        }
        #expect(error?.kind == .badSignature)
    }

    @Test func stripeAcceptsAnyMatchingV1AndAnyConfiguredSecret() throws {
        let body = try ProviderFixtures.bytes("stripe/event_test_signature.json")
        let header = "t=\(stripeTime),v1=\(String(repeating: "0", count: 64)),v0=abc,v1=\(stripeVector)"
        try StripeSignature(secrets: ["whsec_old", "webhook_secret"]).verify(
            body: body, header: header, now: stripeTime)
        for bad in [nil, "v1=\(stripeVector)", "t=\(stripeTime)", "t=\(stripeTime),v1=zz"] {
            #expect(throws: IngestError.self) {
                try StripeSignature(secrets: ["webhook_secret"]).verify(
                    body: body, header: bad, now: stripeTime)
            }
        }
    }

    @Test func theToleranceIsSettable() throws {
        let body = try ProviderFixtures.bytes("stripe/event_test_signature.json")
        let header = "t=\(stripeTime),v1=\(stripeVector)"
        try StripeSignature(secrets: ["webhook_secret"], tolerance: .seconds(600)).verify(
            body: body, header: header, now: stripeTime + 400)
        #expect(throws: IngestError.self) {
            try StripeSignature(secrets: ["webhook_secret"], tolerance: .seconds(60)).verify(
                body: body, header: header, now: stripeTime + 100)
        }
    }
}
