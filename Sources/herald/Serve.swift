import ArgumentParser
import Foundation
import NIOCore
import HeraldCore
import HeraldServer
import Logging
import ServiceLifecycle

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the HTTP API, with the sender worker inside it.",
        discussion: """
            One process: the JSON API under /v1 (events, render, templates, contacts and preferences, inbound SMS,
            delivery reports, messages, campaigns, statistics), /health, /metrics and /openapi.yaml, and the worker
            that sends the outbox. SIGTERM or Ctrl-C stops it gracefully: requests in flight finish, the worker
            records the sends in flight and starts no more.

            Keys: every route but /health needs `Authorization: Bearer <key>`. Keys are read from --keys-file
            (default $HERALD_KEYS_FILE, else ./herald.keys) and $HERALD_API_KEYS, as salted hashes made by
            `herald keys new`. When none is configured, the first start writes herald.keys with one admin key and
            shows that key once.

            Example:
              herald serve --port 8080 --sms-url 'https://sms.example/send?to={to}&text={text}'
            """)

    @Option(help: "Address to listen on (default: $HERALD_HOST, else 127.0.0.1; 0.0.0.0 for every interface).")
    var host: String?

    @Option(help: "Port (default: $HERALD_PORT, else 8080; 0 picks a free one).")
    var port: Int?

    @OptionGroup var keysFile: KeysFile

    @Option(help: "Largest request body in bytes (campaigns: 32 MiB).")
    var maxBody: Int = 1 << 20

    @Flag(help: "Run no worker (another process sends the outbox).")
    var noWorker = false

    @Flag(help: "Let the console's studio write a checked draft into its file in the locales folder (authors and admins; restart to serve it).")
    var studioWrites = false

    @OptionGroup(title: "Sending") var delivery: DeliveryOptions
    @OptionGroup var engine: EngineOptions

    func validate() throws {
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be 0…65535") }
        guard maxBody >= 1024 else { throw ValidationError("--max-body must be at least 1024") }
    }

    func run() async throws {
        let env = ProcessInfo.processInfo.environment
        let logger = makeLogger("herald", level: .info)
        let catalog = try loadCatalog(engine.catalog)
        let config = try engine.policy.config()
        let workerConfig = noWorker ? nil : try delivery.workerConfig()
        let sender = noWorker ? nil : try delivery.makeSender(connections: workerConfig!.concurrency)
        let store = try await engine.store.open()

        let secret: [UInt8]
        if let text = env["HERALD_TOKEN_SECRET"] {
            guard text.utf8.count >= 16 else { throw Self.fail("HERALD_TOKEN_SECRET must be at least 16 characters") }
            secret = Array(text.utf8)
        } else {
            // Made once per database, so tokens outlive a restart.
            let stored = try await store.meta("token-secret") {
                (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
            }
            secret = Array(stored.utf8)
        }

        var settings = ServerSettings(
            catalog: catalog, templatesPath: engine.catalog.templatesPath, localesPath: engine.catalog.localesPath,
            eventsPath: engine.catalog.eventsPath, policy: config, keys: Keyring([]), tokenSecret: secret,
            clock: try engine.clock.source())
        settings.host = host ?? env["HERALD_HOST"] ?? "127.0.0.1"
        let port = port ?? (env["HERALD_PORT"].map { Int($0) ?? -1 } ?? 8080)
        guard (0...65535).contains(port) else {
            throw Self.fail("HERALD_PORT is not a port number")
        }
        settings.port = port
        settings.keys = try loadKeys(env: env, port: port)
        settings.maxBody = maxBody
        settings.studioWrites = studioWrites || env["HERALD_STUDIO_WRITES"] == "1"
        settings.worker = workerConfig
        settings.sender = sender
        let (host, keyCount, path) = (settings.host, settings.keys.keys.count, store.location)
        let sending = noWorker ? "no worker" : "sending with \(sender!.name)"
        let (app, _, _) = HeraldServer.application(settings: settings, store: store, logger: logger) { port in
            logger.notice("Herald listening on http://\(host):\(port) (database \(path), \(keyCount) key\(keyCount == 1 ? "" : "s"), \(sending))")
        }
        do {
            try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw Self.fail("cannot listen on \(host):\(port): the address is already in use (another herald serve?); choose another with --port or HERALD_PORT")
        } catch let error as IOError where error.errnoCode == EACCES {
            throw Self.fail("cannot listen on \(host):\(port): permission denied (ports below 1024 need privileges); choose another with --port")
        } catch let error as IOError where error.errnoCode == EADDRNOTAVAIL {
            throw Self.fail("cannot listen on \(host):\(port): no interface of this machine has that address; use --host 127.0.0.1 or 0.0.0.0")
        }
    }

    /// The keys file and $HERALD_API_KEYS; with neither, writes herald.keys with a new admin key.
    func loadKeys(env: [String: String], port: Int) throws -> Keyring {
        let file = keysFile.path
        var keyring = Keyring([])
        if FileManager.default.fileExists(atPath: file) {
            do { keyring = try Keyring.read(file: file) } catch { throw Self.fail("\(error)") }
        }
        if let list = env["HERALD_API_KEYS"], !list.isEmpty {
            do { keyring.keys += try Keyring.parse(list: list).keys } catch { throw Self.fail("HERALD_API_KEYS: \(error)") }
        }
        if keyring.keys.isEmpty {
            let (secret, key) = APIKey.make(name: "admin", role: .admin)
            let text = "# Herald API keys: NAME ROLE sha256:SALT:HASH (add more with herald keys new)\n\(key.line)\n"
            guard FileManager.default.createFile(atPath: file, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
                throw Self.fail("cannot write \(file)")
            }
            FileHandle.standardError.write(Data("""
                No API key was configured: \(file) now holds one admin key. It is shown this once:

                    \(secret)

                Use it as: curl -H 'Authorization: Bearer \(secret)' http://127.0.0.1:\(port)/v1/templates
                Make keys with roles for your backends with: herald keys new --role backend --name crm

                """.utf8))
            keyring.keys = [key]
        }
        return keyring
    }
}

/// The keys file, named the same by `herald serve` and `herald keys`: `--keys-file`, then `HERALD_KEYS_FILE`, then
/// `./herald.keys`.
struct KeysFile: ParsableArguments {
    @Option(name: .customLong("keys-file"), help: "Keys file: NAME ROLE sha256:SALT:HASH per line (default: $HERALD_KEYS_FILE, else ./herald.keys).")
    var file: String?

    var path: String { file ?? ProcessInfo.processInfo.environment["HERALD_KEYS_FILE"] ?? "herald.keys" }
}

struct Keys: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make API keys for herald serve.",
        subcommands: [New.self, List.self])

    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a key: shows the key once and appends its salted hash to the keys file.",
            discussion: """
                Roles: backend (events, render, campaigns, customer tokens, inbound SMS, delivery reports), staff
                (messages, resend, statistics, metrics), author (templates, check, render), provider (inbound SMS and
                delivery reports only), admin (everything).
                Example: herald keys new --role backend --name crm
                """)

        @Option(help: "backend, staff, author, provider or admin.") var role: String
        @Option(help: "A name for the key (shown in logs).") var name: String
        @OptionGroup var keysFile: KeysFile
        @Flag(help: "Print the configuration line instead of writing it (for $HERALD_API_KEYS, as NAME:ROLE:sha256:…).")
        var print = false

        func validate() throws {
            guard Role(rawValue: role) != nil else {
                throw ValidationError("--role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard name.range(of: #"^[A-Za-z0-9_.-]+$"#, options: .regularExpression) != nil else {
                throw ValidationError("--name may hold letters, digits, '.', '_' and '-'")
            }
        }

        func run() throws {
            let (secret, key) = APIKey.make(name: name, role: Role(rawValue: role)!)
            if print {
                Swift.print(secret)
                Swift.print(key.line.replacingOccurrences(of: " ", with: ":"))
                return
            }
            let path = keysFile.path
            if FileManager.default.fileExists(atPath: path) {
                let existing = try Keyring.read(file: path)
                if existing.keys.contains(where: { $0.name == name }) { throw Self.fail("\(path) already has a key named \(name)") }
                guard let handle = FileHandle(forWritingAtPath: path) else { throw Self.fail("cannot write \(path)") }
                handle.seekToEndOfFile()
                handle.write(Data("\(key.line)\n".utf8))
                handle.closeFile()
            } else {
                guard FileManager.default.createFile(atPath: path, contents: Data("\(key.line)\n".utf8), attributes: [.posixPermissions: 0o600]) else {
                    throw Self.fail("cannot write \(path)")
                }
            }
            Swift.print(secret)
            FileHandle.standardError.write(Data("key \(name) (\(role)) added to \(path); the key above is not stored and is shown this once; restart herald serve to use it\n".utf8))
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the keys of the keys file (names and roles).")
        @OptionGroup var keysFile: KeysFile

        func run() throws {
            let path = keysFile.path
            let ring: Keyring
            do { ring = try Keyring.read(file: path) } catch { throw Self.fail("\(error)") }
            for key in ring.keys { print("\(key.name)\t\(key.role.rawValue)") }
        }
    }
}
