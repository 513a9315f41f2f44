/// Characters that can rewrite a terminal or reorder what a reader sees: C0 and C1 controls, DEL, and the
/// bidirectional embedding, override and isolate marks (U+202A–U+202E, U+2066–U+2069). Identifiers
/// (entity ids, actors, correlation ids) may not hold them; every value printed for a person is escaped.
public enum DisplaySafety {
    /// Whether `scalar` is one of the characters above.
    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    /// The first unsafe character of `text`, or nil.
    public static func firstUnsafe(in text: String) -> Unicode.Scalar? {
        text.unicodeScalars.first(where: isUnsafe)
    }

    /// `text` with each unsafe character written as `\u{…}`, so a crafted value shows as what it is; with
    /// `keepingLineBreaks`, newlines and tabs stay (for multi-line messages).
    public static func escaped(_ text: String, keepingLineBreaks: Bool = false) -> String {
        func escape(_ scalar: Unicode.Scalar) -> Bool {
            isUnsafe(scalar) && !(keepingLineBreaks && (scalar == "\n" || scalar == "\t"))
        }
        guard text.unicodeScalars.contains(where: escape) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if escape(scalar) {
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
