/// The shop's products: `SKU-00001`…`SKU-nnnnn`, each with a name, a EUR price and whether it is
/// taxed at the reduced rate. Derived from the SKU number by hashing, so nothing is stored.
struct ProductCatalog: Sendable {
    /// One product as it appears on an order line.
    struct Product: Sendable {
        let number: Int
        let sku: String
        let name: String
        let priceCentsEUR: Int
        let isReducedRate: Bool

        /// The unit price in a market's currency, in minor units, ending in .90, .95 or .99.
        func unitPriceCents(in market: Market) -> Int {
            let converted = priceCentsEUR * market.priceFactor / 100
            let ending = [90, 95, 99][number % 3]
            return max(1, converted / 100) * 100 + ending - 100
        }
    }

    let size: Int
    private let salt: UInt64

    private static let adjectives = [
        "Merino", "Organic", "Classic", "Vintage", "Ultralight", "Hand-made", "Café", "Nordic", "Smart",
        "Recycled", "Crème", "Waterproof",
    ]
    private static let nouns: [(name: String, reduced: Bool)] = [
        ("Wool Sweater", false), ("Coffee Beans 1 kg", true), ("Running Shoes", false), ("Cookbook", true),
        ("12\" Vinyl Record", false), ("Backpack 30 L", false), ("Espresso Mug", false),
        ("Olive Oil 0.5 L", true),
        ("Desk Lamp", false), ("Travel Guide", true), ("Rain Jacket", false), ("Tea Sampler", true),
        ("Yoga Mat", false), ("Chocolate Box", true), ("Headphones", false), ("Notebook A5", false),
    ]

    init(size: Int, seed: UInt64) {
        self.size = max(1, size)
        salt = SplitMix64.mix(seed ^ 0x5EED_CA7A_1060_0001)
    }

    /// The product with number `number` (1-based).
    func product(_ number: Int) -> Product {
        let hash = SplitMix64.mix(salt &+ UInt64(number))
        let noun = ProductCatalog.nouns[Int(hash % UInt64(ProductCatalog.nouns.count))]
        let adjective = ProductCatalog.adjectives[Int((hash >> 16) % UInt64(ProductCatalog.adjectives.count))]
        // Prices from 4.90 to about 250: cheap goods are more common.
        let euros = 4 + Int((hash >> 32) % 60) * Int((hash >> 40) % 4 + 1)
        return Product(
            number: number, sku: Identifiers.padded("SKU-", number, width: 5),
            name: adjective + " " + noun.name,
            priceCentsEUR: euros * 100, isReducedRate: noun.reduced)
    }

    /// A product drawn with skewed popularity (SKU-00001 sells most).
    func popularProduct(_ random: inout SplitMix64) -> Product {
        product(random.skewedIndex(below: size) + 1)
    }
}
