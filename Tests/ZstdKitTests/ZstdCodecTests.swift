import Testing
import ZstdKit

@Suite struct ZstdCodecTests {
    let sample = Array(
        #"{"orderId":"SO-100042","amount":"59.20","currency":"EUR","provider":"stripe","method":"card"}"#.utf8
    )

    /// `sample` compressed by `codec` without a dictionary and decompressed again.
    func roundTrip(through codec: ZstdCodec) throws -> [UInt8] {
        var compressed: [UInt8] = []
        try sample.withUnsafeBytes { try codec.compress($0, appendingTo: &compressed) }
        var restored: [UInt8] = []
        try compressed.withUnsafeBytes {
            try codec.decompress($0, originalSize: sample.count, appendingTo: &restored)
        }
        return restored
    }

    @Test func roundTripWithoutDictionary() throws {
        #expect(try roundTrip(through: ZstdCodec()) == sample)
    }

    @Test func aTrainedDictionaryShrinksSmallRecords() throws {
        var samples: [[UInt8]] = []
        for index in 0..<600 {
            samples.append(
                Array(
                    #"{"orderId":"SO-\#(100000 + index)","amount":"\#(index).\#(index % 100)","currency":"EUR","provider":"stripe","method":"card","customer":"CUS-\#(index * 7)"}"#
                        .utf8))
        }
        let dictionary = try ZstdDictionary(bytes: try ZstdDictionary.train(samples: samples, capacity: 4096))
        #expect(dictionary.id != 0)
        let codec = ZstdCodec()
        var plain: [UInt8] = []
        var withDictionary: [UInt8] = []
        try samples[5].withUnsafeBytes {
            try codec.compress($0, appendingTo: &plain)
            try codec.compress($0, dictionary: dictionary, appendingTo: &withDictionary)
        }
        #expect(withDictionary.count < plain.count)
        var restored: [UInt8] = []
        try withDictionary.withUnsafeBytes {
            try codec.decompress(
                $0, originalSize: samples[5].count, dictionary: dictionary, appendingTo: &restored)
        }
        #expect(restored == samples[5])
    }

    @Test func aDamagedFrameIsAnErrorNotACrash() throws {
        let codec = ZstdCodec()
        var compressed: [UInt8] = []
        try sample.withUnsafeBytes { try codec.compress($0, appendingTo: &compressed) }
        compressed[0] ^= 0xFF  // the magic number
        compressed.removeLast(3)
        var restored: [UInt8] = []
        #expect(throws: ZstdError.self) {
            try compressed.withUnsafeBytes {
                try codec.decompress($0, originalSize: sample.count, appendingTo: &restored)
            }
        }
        #expect(restored.isEmpty)
    }

    /// The record's frame: no magic number, dictionary id or content size, with and without a dictionary, and
    /// the two frames are not mistaken for one another.
    @Test func theCompactFrameLeavesOutWhatARecordHoldsAndReadsOnlyAsCompact() throws {
        var samples: [[UInt8]] = []
        for index in 0..<600 {
            samples.append(
                Array(#"{"orderId":"SO-\#(100000 + index)","amount":"\#(index).00","currency":"EUR"}"#.utf8))
        }
        let dictionary = try ZstdDictionary(bytes: try ZstdDictionary.train(samples: samples, capacity: 4096))
        let standard = ZstdCodec()
        let compact = ZstdCodec(frame: .compact)
        for used in [nil, dictionary] {
            var long: [UInt8] = []
            var short: [UInt8] = []
            try sample.withUnsafeBytes {
                try standard.compress($0, dictionary: used, appendingTo: &long)
                try compact.compress($0, dictionary: used, appendingTo: &short)
            }
            // The magic number (4), the dictionary id (its smallest of 1, 2 or 4 bytes) and the content size (1 for
            // this sample, under 256 bytes) leave; a window size (1) comes.
            let idBytes = used.map { $0.id < 256 ? 1 : $0.id < 65_536 ? 2 : 4 } ?? 0
            #expect(sample.count < 256)
            #expect(long.count - short.count == 4 + idBytes, "\(long.count) against \(short.count)")
            #expect(Array(long.prefix(4)) == [0x28, 0xB5, 0x2F, 0xFD])
            var restored: [UInt8] = []
            try short.withUnsafeBytes {
                try compact.decompress(
                    $0, originalSize: sample.count, dictionary: used, appendingTo: &restored)
            }
            #expect(restored == sample)
            var wrong: [UInt8] = []
            #expect(throws: ZstdError.self) {
                try short.withUnsafeBytes {
                    try standard.decompress(
                        $0, originalSize: sample.count, dictionary: used, appendingTo: &wrong)
                }
            }
        }
        // One codec alternates between a dictionary and none.
        #expect(try roundTrip(through: compact) == sample)
    }

    @Test func trainingNeedsSamples() {
        #expect(throws: ZstdError.self) { try ZstdDictionary.train(samples: [[1, 2, 3]]) }
    }
}
