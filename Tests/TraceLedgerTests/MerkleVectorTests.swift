import Testing
import TraceLedger

/// The RFC 6962 reference tree of transparency-dev/merkle (its proof and root vectors, hard-coded): our
/// hashes, proofs and proof checks agree with them, and every corruption of a proof is refused.
@Suite struct MerkleVectorTests {
    static func hex(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            bytes.append(UInt8(text[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }

    static let leaves = [
        "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f",
    ]
    .map(hex)
    static let roots = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ].map(hex)
    /// (leaf, 1-based; tree size; path)
    static let inclusion: [(UInt64, UInt64, [String])] = [
        (1, 1, []),
        (
            1, 8,
            [
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ]
        ),
        (
            6, 8,
            [
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ]
        ),
        (3, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
        (
            2, 5,
            [
                "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ]
        ),
    ]
    static let consistency: [(UInt64, UInt64, [String])] = [
        (1, 1, []),
        (
            1, 8,
            [
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ]
        ),
        (
            6, 8,
            [
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ]
        ),
        (
            2, 5,
            [
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ]
        ),
        (
            6, 7,
            [
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ]
        ),
    ]

    /// Aligned complete subtrees of the reference leaves, hashed from the leaves.
    static func subtree(_ start: UInt64, _ size: UInt64) -> [UInt8] {
        if size == 1 { return RFC6962.leafHash(leaves[Int(start)]) }
        return RFC6962.nodeHash(subtree(start, size / 2), subtree(start + size / 2, size / 2))
    }

    @Test func theRootsAtEverySizeAreTheReferenceRoots() {
        for size in 1...8 {
            #expect(
                RFC6962.root(size: UInt64(size), subtree: Self.subtree) == Self.roots[size - 1],
                "size \(size)")
        }
        #expect(
            RFC6962.root(size: 0, subtree: Self.subtree)
                == Self.hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"))
    }

    @Test func inclusionProofsAreTheReferenceProofsAndCheck() {
        for (leaf, size, expected) in Self.inclusion {
            let path = RFC6962.inclusionPath(index: leaf - 1, size: size, subtree: Self.subtree)
            #expect(path == expected.map(Self.hex), "leaf \(leaf) of \(size)")
            let leafHash = RFC6962.leafHash(Self.leaves[Int(leaf - 1)])
            #expect(
                RFC6962.root(fromInclusionOf: leafHash, index: leaf - 1, size: size, path: path)
                    == Self.roots[Int(size - 1)])
            // Corruptions: another index, size or leaf, a flipped bit, a missing or extra hash.
            var probes: [(UInt64, UInt64, [UInt8], [[UInt8]])] = [
                (leaf, size, leafHash, path), (leaf - 1, size * 2, leafHash, path),
                (leaf - 1, size, RFC6962.leafHash([0x42]), path),
                (leaf - 1, size, leafHash, path + [Self.roots[0]]),
                (leaf - 1, size, leafHash, [Self.roots[0]] + path),
            ]
            if leaf >= 2 { probes.append((leaf - 2, size, leafHash, path)) }
            for index in path.indices {
                var flipped = path
                flipped[index][0] ^= 8
                probes.append((leaf - 1, size, leafHash, flipped))
            }
            if !path.isEmpty { probes.append((leaf - 1, size, leafHash, Array(path.dropLast()))) }
            for (index, size, hash, path) in probes {
                #expect(
                    RFC6962.root(fromInclusionOf: hash, index: index, size: size, path: path)
                        != Self.roots[Int(size - 1) % 8]
                        || size > 8)
            }
        }
    }

    @Test func consistencyProofsAreTheReferenceProofsAndCheck() {
        for (old, new, expected) in Self.consistency {
            let path = RFC6962.consistencyPath(old: old, new: new, subtree: Self.subtree)
            #expect(path == expected.map(Self.hex), "\(old) → \(new)")
            let (oldRoot, newRoot) = (Self.roots[Int(old - 1)], Self.roots[Int(new - 1)])
            #expect(RFC6962.isConsistent(old: old, new: new, oldRoot: oldRoot, newRoot: newRoot, path: path))
            guard !path.isEmpty else { continue }
            var probes: [(UInt64, UInt64, [UInt8], [UInt8], [[UInt8]])] = [
                (old - 1, new, oldRoot, newRoot, path), (old + 1, new, oldRoot, newRoot, path),
                (old, new * 2, oldRoot, newRoot, path), (old, new, newRoot, oldRoot, path),
                (old, new, oldRoot, newRoot, []), (old, new, oldRoot, newRoot, path + [oldRoot]),
                (old, new, oldRoot, newRoot, [newRoot] + path),
                (old, new, oldRoot, newRoot, Array(path.dropLast())),
            ]
            for index in path.indices {
                var flipped = path
                flipped[index][0] ^= 16
                probes.append((old, new, oldRoot, newRoot, flipped))
            }
            for (old, new, oldRoot, newRoot, path) in probes {
                #expect(
                    !RFC6962.isConsistent(old: old, new: new, oldRoot: oldRoot, newRoot: newRoot, path: path))
            }
        }
    }
}
