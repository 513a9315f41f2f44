/// The shop's customers, `CUST-000001`…, each derived from its number by hashing so that no
/// customer is stored: memory stays flat however many customers a long workload creates.
///
/// A few customers are duplicates of an earlier one — the same e-mail in another case or with
/// whitespace around it, or (business customers) the same VAT id — which is what reconciliation's
/// duplicate-customer check must find.
struct CustomerDirectory: Sendable {
    /// How a duplicate resembles its original.
    enum DuplicateKind: String, Sendable {
        case email
        case vatId
    }

    /// One customer's identity as first created.
    struct Identity: Sendable {
        let number: Int
        let customerId: String
        let name: String
        let email: String
        let vatId: String?
        let market: Market
        let addressJSON: String
        /// The original this customer duplicates, and how.
        let duplicateOf: (number: Int, kind: DuplicateKind)?
    }

    private let salt: UInt64
    private let duplicateRate: Double

    private static let firstNames: [(display: String, ascii: String)] = [
        ("Bob", "bob"), ("Alice", "alice"), ("Jürgen", "juergen"), ("Zoë", "zoe"), ("Léon", "leon"),
        ("Siobhán", "siobhan"), ("Mårten", "maarten"), ("Priya", "priya"), ("Wei", "wei"),
        ("Fatima", "fatima"),
        ("Lucas", "lucas"), ("Emma", "emma"), ("Noah", "noah"), ("Sofía", "sofia"), ("Mia", "mia"),
    ]
    private static let lastNames: [(display: String, ascii: String)] = [
        ("Norman", "norman"), ("Müller", "mueller"), ("O'Brien", "obrien"), ("García", "garcia"),
        ("Nowak", "nowak"), ("Schmidt", "schmidt"), ("Dubois", "dubois"), ("de Vries", "devries"),
        ("Rossi", "rossi"), ("Smith", "smith"), ("Yılmaz", "yilmaz"), ("Andersson", "andersson"),
    ]
    private static let companies = [
        "Café \"Zum Anker\" GmbH", "Nordlicht Handels GmbH", "Van Dijk & Zonen B.V.", "Atelier Lumière SARL",
        "Bergblick OG", "Acme Supplies Inc.", "Thames Trading Ltd",
    ]
    private static let mailDomains = ["example.com", "mail.example.com", "example.org", "example.net"]

    init(seed: UInt64, duplicateRate: Double) {
        salt = SplitMix64.mix(seed ^ 0xC057_0E55_0000_0001)
        self.duplicateRate = duplicateRate
    }

    /// The identity of customer `number` (1-based), duplicates resolved.
    func identity(_ number: Int) -> Identity {
        let hash = SplitMix64.mix(salt &+ UInt64(number) &* 0x9E37_79B9)
        guard number > 1, isDuplicate(number, hash: hash) else { return baseIdentity(number) }
        var original = 1 + Int((hash >> 20) % UInt64(number - 1))
        while original > 1, isDuplicate(original, hash: customerHash(original)) {
            original = 1 + Int((customerHash(original) >> 20) % UInt64(original - 1))
        }
        let source = baseIdentity(original)
        let own = baseIdentity(number)
        let customerId = Identifiers.padded("CUST-", number, width: 6)
        if let vatId = source.vatId, hash & 1 == 0 {
            // Same company, same VAT id, registered again from another mailbox.
            return Identity(
                number: number, customerId: customerId, name: source.name.uppercased(), email: own.email,
                vatId: vatId, market: source.market, addressJSON: source.addressJSON,
                duplicateOf: (original, .vatId))
        }
        let variants = [
            source.email.uppercased(), " " + source.email, source.email + " ",
            source.email.prefix(1).uppercased() + source.email.dropFirst(),
        ]
        return Identity(
            number: number, customerId: customerId, name: source.name,
            email: variants[Int((hash >> 8) % UInt64(variants.count))], vatId: nil, market: source.market,
            addressJSON: own.addressJSON, duplicateOf: (original, .email))
    }

    /// A new billing address for `customer.updated` (the customer moved within its market).
    func movedAddressJSON(_ number: Int, _ random: inout SplitMix64) -> String {
        let market = baseIdentity(number).market
        return CustomerDirectory.addressJSON(market: market, hash: random.next())
    }

    private func customerHash(_ number: Int) -> UInt64 {
        SplitMix64.mix(salt &+ UInt64(number) &* 0x9E37_79B9)
    }

    private func isDuplicate(_ number: Int, hash: UInt64) -> Bool {
        guard duplicateRate > 0 else { return false }
        return Double(hash >> 40) < duplicateRate * 16_777_216.0
    }

    private func baseIdentity(_ number: Int) -> Identity {
        let hash = SplitMix64.mix(customerHash(number) ^ 0xA5A5)
        let first = CustomerDirectory.firstNames[Int(hash % UInt64(CustomerDirectory.firstNames.count))]
        let last = CustomerDirectory.lastNames[Int((hash >> 8) % UInt64(CustomerDirectory.lastNames.count))]
        let market = Market.market(forPercentile: Int((hash >> 16) % 100))
        let domain = CustomerDirectory.mailDomains[
            Int((hash >> 24) % UInt64(CustomerDirectory.mailDomains.count))]
        let isBusiness = (hash >> 32) % 100 < 18
        let customerId = Identifiers.padded("CUST-", number, width: 6)
        let email = first.ascii + "." + last.ascii + String(number) + "@" + domain
        guard isBusiness else {
            return Identity(
                number: number, customerId: customerId, name: first.display + " " + last.display,
                email: email,
                vatId: nil, market: market,
                addressJSON: CustomerDirectory.addressJSON(market: market, hash: hash),
                duplicateOf: nil)
        }
        let company = CustomerDirectory.companies[
            Int((hash >> 40) % UInt64(CustomerDirectory.companies.count))]
        let vatDigits = Identifiers.padded("", Int((hash >> 20) % 1_000_000_000), width: 9)
        return Identity(
            number: number, customerId: customerId, name: company, email: "billing." + email,
            vatId: market.country + vatDigits,
            market: market, addressJSON: CustomerDirectory.addressJSON(market: market, hash: hash),
            duplicateOf: nil)
    }

    private static func addressJSON(market: Market, hash: UInt64) -> String {
        let place = market.cities[Int((hash >> 44) % UInt64(market.cities.count))]
        let street = market.streets[Int((hash >> 50) % UInt64(market.streets.count))]
        var address = JSONObjectWriter(capacity: 96)
        address.add("line1", street + " " + String((hash >> 56) % 120 + 1))
        address.add("city", place.city)
        address.add("postalCode", place.postalCode)
        address.add("country", market.country)
        return address.finish()
    }
}
