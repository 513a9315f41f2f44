public import TraceLedger

/// Turns a `--to` argument into a sink: `stdout`, `file:PATH`, `http://…`/`https://…`, `nats://HOST:PORT/SUBJECT`.
public enum SinkAddress {
    /// The sink `address` names; `authorization` is the `Authorization` header value for HTTP sinks.
    ///
    /// - Throws: `LedgerError` for an unknown scheme, or when the sink cannot be opened.
    /// - Throws: `LedgerError` `.invalidArgument` for `cloudevents-binary` anywhere but HTTP (only HTTP has
    ///   headers to carry the attributes).
    public static func open(
        _ address: String, authorization: String? = nil, timeout: Duration = .seconds(10),
        format: DeliveryFormat = .envelope
    ) throws -> any ReplaySink {
        let isHTTP = address.hasPrefix("http://") || address.hasPrefix("https://")
        if format == .cloudEventsBinary && !isHTTP {
            throw LedgerError(
                .invalidArgument,
                "--format cloudevents-binary puts the attributes in HTTP headers: it needs an http(s):// sink; use "
                    + "--format cloudevents for \(address)")
        }
        if address == "stdout" || address == "-" { return StandardOutputSink(format: format) }
        if address.hasPrefix("file:") {
            return try FileSink(path: String(address.dropFirst("file:".count)), format: format)
        }
        if isHTTP {
            return HTTPSink(url: address, authorization: authorization, timeout: timeout, format: format)
        }
        if address.hasPrefix("nats://") { return try NATSSink(url: address, format: format) }
        throw LedgerError(
            .invalidArgument,
            "unknown sink \"\(address)\": use stdout, file:PATH, http(s)://HOST/PATH or nats://HOST:PORT/SUBJECT"
        )
    }
}
