import CZstd

/// An error reported by zstd, with its raw code and a message a person can act on.
public struct ZstdError: Error, Sendable, Equatable, CustomStringConvertible {
    /// zstd's error code (`ZSTD_getErrorCode`), or 0 for errors found by this wrapper.
    public let code: Int
    /// What went wrong, in words.
    public let message: String

    public init(code: Int = 0, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

/// Throws when `result` is a zstd error code.
@inline(__always)
func checked(_ result: Int, _ operation: @autoclosure () -> String) throws(ZstdError) -> Int {
    if ZSTD_isError(result) != 0 {
        let name = String(cString: ZSTD_getErrorName(result))
        throw ZstdError(code: Int(ZSTD_getErrorCode(result).rawValue), message: "\(operation()): \(name)")
    }
    return result
}
