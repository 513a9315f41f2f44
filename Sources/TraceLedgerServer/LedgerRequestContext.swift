public import Hummingbird
public import Logging
import NIOCore

/// The context of one request: Hummingbird's core context and, once `AuthenticationMiddleware` accepted the
/// request's token, who is asking.
public struct LedgerRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The token that authenticated the request (nil before authentication, or without a token file).
    public var caller: TokenEntry?
    /// The form a console action posted, read and checked (CSRF) before the action runs.
    var consoleForm: FormBody?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// The request bodies the API reads are bounded by the ledger's own limits (docs/http-api.md).
    public var maxUploadSize: Int { ServerLimits.maximumBodyBytes }
}
