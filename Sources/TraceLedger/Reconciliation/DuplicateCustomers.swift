/// Finds customers that are the same person: same normalised e-mail or same VAT id, not merged, not forgotten.
enum DuplicateCustomers {
    /// One finding per duplicate: each customer of a group but the first created, naming the first.
    static func find(in index: ProjectionIndex) throws -> [Finding] {
        // duplicate id → (original id, what matched)
        var matches: [String: (original: CustomerState, duplicate: CustomerState, matched: [String])] = [:]
        for (prefix, label) in [(ProjectionKey.email, "e-mail"), (ProjectionKey.vat, "VAT id")] {
            var group: [CustomerState] = []
            var groupValue: [UInt8] = []
            func close() {
                let open = group.filter { $0.mergedInto == nil && !$0.forgotten }.sorted {
                    $0.firstPosition < $1.firstPosition
                }
                guard let original = open.first else { return }
                let value = String(decoding: groupValue, as: UTF8.self)
                for duplicate in open.dropFirst() {
                    matches[duplicate.customerId, default: (original, duplicate, [])].matched.append(
                        "\(label) \(value)")
                }
            }
            try index.forEach(prefix: [prefix]) { key, _ in
                guard let separator = key.lastIndex(of: 0) else { return }
                let value = Array(key[1..<separator])
                let customerId = String(decoding: key[(separator + 1)...], as: UTF8.self)
                if value != groupValue {
                    close()
                    group = []
                    groupValue = value
                }
                if let customer = try FoldRunner<CustomerFold>.read(customerId, in: index) {
                    group.append(customer)
                }
            }
            close()
        }
        return matches.values.map { match in
            Finding(
                severity: .medium, rule: "duplicate-customer", domain: .customer,
                entityId: match.duplicate.customerId,
                traceId: match.duplicate.traceId,
                reason: "same \(match.matched.joined(separator: " and ")) as \(match.original.customerId)",
                evidence: [match.original.firstPosition, match.duplicate.firstPosition])
        }
    }
}
