/// A country the shop sells to: its currency, the warehouse that serves it, its tax rates and a
/// few addresses. Rates are in hundred-thousandths (19 % = 19_000).
struct Market: Sendable {
    let country: String
    let currency: String
    let warehouse: String
    /// Standard tax rates; US sales tax depends on the state, so there are several.
    let standardRates: [Int]
    /// The reduced rate for books and food.
    let reducedRate: Int
    /// Prices in this currency are the EUR price × `priceFactor` / 100.
    let priceFactor: Int
    /// Places customers live in, and street names for their addresses.
    let cities: [(city: String, postalCode: String)]
    let streets: [String]

    /// All markets with their share of customers (weights sum to 100).
    static let all: [(market: Market, weight: Int)] = [
        (
            Market(
                country: "DE", currency: "EUR", warehouse: "WH-BER", standardRates: [19_000],
                reducedRate: 7_000, priceFactor: 100,
                cities: [("Berlin", "10115"), ("Hamburg", "20095"), ("München", "80331"), ("Köln", "50667")],
                streets: ["Hauptstraße", "Schönhauser Allee", "Karl-Marx-Straße", "Bahnhofstraße"]), 45
        ),
        (
            Market(
                country: "NL", currency: "EUR", warehouse: "WH-AMS", standardRates: [21_000],
                reducedRate: 9_000, priceFactor: 100,
                cities: [("Amsterdam", "1012 AB"), ("Utrecht", "3511 AD"), ("Rotterdam", "3011 AA")],
                streets: ["Prinsengracht", "Keizersgracht", "Oudegracht"]), 12
        ),
        (
            Market(
                country: "FR", currency: "EUR", warehouse: "WH-AMS", standardRates: [20_000],
                reducedRate: 5_500, priceFactor: 100,
                cities: [("Paris", "75001"), ("Lyon", "69001"), ("Nantes", "44000")],
                streets: ["Rue de Rivoli", "Boulevard Haussmann", "Rue de la République"]), 10
        ),
        (
            Market(
                country: "AT", currency: "EUR", warehouse: "WH-BER", standardRates: [20_000],
                reducedRate: 10_000, priceFactor: 100,
                cities: [("Wien", "1010"), ("Graz", "8010")],
                streets: ["Mariahilfer Straße", "Herrengasse"]), 8
        ),
        (
            Market(
                country: "US", currency: "USD", warehouse: "WH-NJ", standardRates: [0, 6_250, 7_250, 8_875],
                reducedRate: 0, priceFactor: 108,
                cities: [("Louisville", "40202"), ("Brooklyn", "11201"), ("Austin", "78701")],
                streets: ["Chestnut Street", "Atlantic Avenue", "Congress Avenue"]), 15
        ),
        (
            Market(
                country: "GB", currency: "GBP", warehouse: "WH-LON", standardRates: [20_000],
                reducedRate: 0, priceFactor: 86,
                cities: [("London", "SW1A 1AA"), ("Manchester", "M1 1AE")],
                streets: ["Baker Street", "Deansgate"]), 10
        ),
    ]

    /// The market for a number in 0..<100 (a customer's hash), by weight.
    static func market(forPercentile percentile: Int) -> Market {
        var remaining = percentile
        for entry in all {
            if remaining < entry.weight { return entry.market }
            remaining -= entry.weight
        }
        return all[0].market
    }
}
