import Foundation
import Synchronization
import HTTPTypes
import HeraldCore
import HeraldDelivery
import Hummingbird
import Logging
import ServiceLifecycle

/// Everything `herald serve` is configured with.
public struct ServerSettings: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    public var catalog: Catalog
    /// Where the catalog was read from: `POST /v1/templates:check` checks a file against these folders.
    public var templatesPath: String
    public var localesPath: String
    public var eventsPath: String?
    public var policy: PolicyConfig
    public var keys: Keyring
    /// Signs customer tokens.
    public var tokenSecret: [UInt8]
    /// How long a customer token lasts unless the request says (seconds).
    public var tokenTTL: Int64 = 7 * 24 * 3600
    /// Request bodies larger than this are refused (413); campaigns have their own limit.
    public var maxBody = 1 << 20
    public var campaignMaxBody = 32 << 20
    /// The worker inside the server; nil runs none (another process sends).
    public var worker: WorkerConfig?
    public var sender: (any Sender)?
    /// How often the worker looks for due messages when idle (seconds).
    public var poll = 0.25
    /// Whether the console's studio may write a checked draft into its locale file (`--studio-writes`).
    public var studioWrites = false
    /// How long a resent message stays worth sending (ms).
    public var resendTTL: Int64 = 24 * 3600 * 1000
    public var clock: @Sendable () -> Int64

    public init(
        catalog: Catalog, templatesPath: String, localesPath: String, eventsPath: String?, policy: PolicyConfig,
        keys: Keyring, tokenSecret: [UInt8], clock: @escaping @Sendable () -> Int64
    ) {
        self.catalog = catalog
        self.templatesPath = templatesPath
        self.localesPath = localesPath
        self.eventsPath = eventsPath
        self.policy = policy
        self.keys = keys
        self.tokenSecret = tokenSecret
        self.clock = clock
    }
}

/// What the routes share.
final class ServerState: Sendable {
    let settings: ServerSettings
    let store: any Storage
    let renderer: Renderer
    let planner: Planner
    let tokens: CustomerTokens
    let ingest: IngestQueue
    let metrics: ServerMetrics
    let campaigns: CampaignRunner
    let logger: Logger
    /// The stop and start words a person may text back, from every locale.
    let keywords: Keywords

    var clock: @Sendable () -> Int64 { settings.clock }
    var catalog: Catalog { settings.catalog }

    private let checked = Mutex<CatalogReport?>(nil)
    /// The catalog check of the served catalog, made the first time it is asked for (the studio's diagnostics and
    /// worst cases).
    var report: CatalogReport {
        if let report = checked.withLock({ $0 }) { return report }
        let report = catalog.check()
        checked.withLock { $0 = report }
        return report
    }

    init(settings: ServerSettings, store: any Storage, logger: Logger) {
        self.settings = settings
        self.store = store
        self.logger = logger
        let metrics = ServerMetrics()
        self.metrics = metrics
        renderer = Renderer(catalog: settings.catalog, observer: { metrics.rendered($0) })
        planner = Planner(renderer: renderer, config: settings.policy)
        tokens = CustomerTokens(secret: settings.tokenSecret)
        ingest = IngestQueue(store: store, planner: planner, clock: settings.clock)
        campaigns = CampaignRunner(
            store: store, planner: planner, region: settings.policy.defaultRegion, clock: settings.clock,
            logger: logger)
        keywords = Keywords(catalog: settings.catalog)
    }
}

/// One route: its method, path (as in the OpenAPI description) and who may call it.
public struct RouteInfo: Sendable, Hashable {
    public var method: String
    public var path: String
    /// Roles let in (admin always is); empty with `isPublic` for health.
    public var roles: Set<Role>
    public var customer: Bool
    public var isPublic: Bool
}

/// The Herald HTTP API.
public enum HeraldServer {
    /// Builds the router with every route; `routes` lists them with their roles.
    static func router(state: ServerState) -> (Router<HeraldContext>, [RouteInfo]) {
        let router = Router(context: HeraldContext.self)
        let list = RouteList()
        router.add(middleware: RequestLogMiddleware(metrics: state.metrics, routes: list))
        router.add(middleware: AuthMiddleware(keys: state.settings.keys, tokens: state.tokens, clock: state.clock))
        var table = RouteTable(router: router)
        Routes(state: state).register(&table)
        list.set(table.routes)
        return (router, table.routes)
    }

    /// The application: the HTTP server, the worker (when configured) and the campaign runner, under one
    /// service group that shuts down gracefully on SIGTERM and SIGINT.
    public static func application(
        settings: ServerSettings, store: any Storage, logger: Logger, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> (app: some ApplicationProtocol, routes: [RouteInfo], registered: [String]) {
        let state = ServerState(settings: settings, store: store, logger: logger)
        let (router, routes) = router(state: state)
        // What the router itself holds, as `METHOD /path`.
        let registered = router.routes.map { "\($0.method.rawValue) \($0.path.description)" }
        var app = Application(
            router: router,
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "Herald"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? settings.port) },
            logger: logger)
        if let worker = settings.worker, let sender = settings.sender {
            app.addServices(WorkerService(
                store: store, sender: sender, config: worker, policy: settings.policy, clock: settings.clock, metrics: state.metrics,
                logger: logger, poll: settings.poll))
        }
        app.addServices(state.campaigns)
        return (app, routes, registered)
    }
}

/// Registers routes and remembers them with their roles.
struct RouteTable {
    let router: Router<HeraldContext>
    var routes: [RouteInfo] = []

    /// A route that lets in `roles` (and admin), or a customer's token for the `{id}` contact with `customer`.
    mutating func add(
        _ method: HTTPRequest.Method, _ path: String, roles: Set<Role>, customer: Bool = false, isPublic: Bool = false,
        _ handler: @escaping @Sendable (Request, HeraldContext) async throws -> Response
    ) {
        routes.append(RouteInfo(method: method.rawValue, path: path, roles: roles, customer: customer, isPublic: isPublic))
        router.on(RouterPath(path), method: method) { request, context in
            if !isPublic {
                try context.require(roles, customer: customer ? context.parameters.get("id") : nil)
            }
            return try await handler(request, context)
        }
    }
}

/// The registered routes, for answering a method a path does not have with 405 and `Allow`.
final class RouteList: Sendable {
    private let routes = Locked<[RouteInfo]>([])

    func set(_ list: [RouteInfo]) { routes.update { $0 = list } }

    /// The methods of the routes whose path template matches `path` (`{id}` is one segment, and keeps a `:verb`
    /// suffix), sorted; empty when no route has this path.
    func methods(for path: String) -> [String] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        let found = routes.update { list in
            list.filter { route in
                let template = route.path.split(separator: "/", omittingEmptySubsequences: false)
                guard template.count == segments.count else { return false }
                return zip(template, segments).allSatisfy { t, s in
                    guard t.hasPrefix("{"), let close = t.firstIndex(of: "}") else { return t == s }
                    let suffix = t[t.index(after: close)...]
                    return s.count > suffix.count && s.hasSuffix(suffix)
                }
            }.map(\.method)
        }
        return Set(found).sorted()
    }
}
