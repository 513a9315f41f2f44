public import TraceLedger

/// Turns a `--to` argument into a sink: `stdout`, `file:PATH`, `http://…`/`https://…`, `nats://HOST:PORT/SUBJECT`.
public enum SinkAddress {
    /// The sink `address` names; `authorization` is the `Authorization` header value for HTTP sinks.
    ///
    /// - Throws: `LedgerError` for an unknown scheme, or when the sink cannot be opened.
    public static func open(_ address: String, authorization: String? = nil, timeout: Duration = .seconds(10))
        throws
        -> any ReplaySink
    {
        if address == "stdout" || address == "-" { return StandardOutputSink() }
        if address.hasPrefix("file:") { return try FileSink(path: String(address.dropFirst("file:".count))) }
        if address.hasPrefix("http://") || address.hasPrefix("https://") {
            return HTTPSink(url: address, authorization: authorization, timeout: timeout)
        }
        if address.hasPrefix("nats://") { return try NATSSink(url: address) }
        throw LedgerError(
            .invalidArgument,
            "unknown sink \"\(address)\": use stdout, file:PATH, http(s)://HOST/PATH or nats://HOST:PORT/SUBJECT"
        )
    }
}
