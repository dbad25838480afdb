import Foundation
import HeraldTestSupport
import HeraldCore
import HeraldPostgres
import HeraldStore

let packageRoot = TestPaths.packageRoot

let shippedCatalog: Catalog = Catalog.load(
    templates: packageRoot.appendingPathComponent("Templates").path,
    locales: packageRoot.appendingPathComponent("Locales").path)

/// Epoch milliseconds of an ISO 8601 date-time with an offset.
func ms(_ iso: String) -> Int64 { Int64(ParameterValue.epochMilliseconds(iso, timeZone: "UTC")!) }

/// A fresh database and a planner over a catalog: what `herald event` uses, in process.
struct Harness {
    let store: any Storage
    let planner: Planner
    /// The database: a SQLite file, or a PostgreSQL URL.
    let path: String

    init(_ kind: StoreKind, config: PolicyConfig = PolicyConfig(), catalog: Catalog = shippedCatalog) async throws {
        path = try await kind.freshLocation()
        store = try await makeStore(kind, at: path)
        planner = Planner(renderer: Renderer(catalog: catalog), config: config)
    }

    /// Parses and ingests one event at `now`.
    func ingest(_ json: String, now: String) async throws -> Result<IngestResult, EventError> {
        let event: Event
        do { event = try Event.parse(Data(json.utf8), catalog: planner.catalog) } catch { return .failure(error) }
        return try await store.ingest([event], planner: planner, now: ms(now))[0]
    }

    /// The single decision of an event that must be accepted.
    func decide(_ json: String, now: String) async throws -> Decision {
        let result = try await ingest(json, now: now).get()
        precondition(result.decisions.count == 1, "expected one decision, got \(result.decisions.count)")
        return result.decisions[0]
    }

    func counts() async throws -> (events: Int, decisions: Int, messages: Int, contacts: Int) {
        let t = try await store.totals()
        return (t.events, t.decisions, t.messages, t.contacts)
    }
}

/// The store under test. Every test here goes through the `Storage` protocol only: both implementations run the
/// same suite.
func makeStore(_ kind: StoreKind, at location: String) async throws -> any Storage {
    switch kind {
    case .sqlite: try SQLiteStore(path: location)
    case .postgres: try await PostgresStore.open(PostgresSettings(url: location))
    }
}


/// A `case.assigned` event for one assignee.
func assigned(
    id: String = "e-\(UUID().uuidString.prefix(8))", at occurredAt: String, assignee: String = "u-17",
    phone: String? = "0911234567", language: String? = nil, timeZone: String? = nil, actor: String = "u-3"
) -> String {
    var person = ["\"id\": \"\(assignee)\""]
    if let phone { person.append("\"phone\": \"\(phone)\"") }
    if let language { person.append("\"language\": \"\(language)\"") }
    if let timeZone { person.append("\"timeZone\": \"\(timeZone)\"") }
    return """
        {"id": "\(id)", "type": "case.assigned", "occurredAt": "\(occurredAt)",
         "data": {"case": {"number": "CASE-9", "title": "Printer"}, "assignee": {\(person.joined(separator: ", "))},
                  "actor": {"id": "\(actor)"}}}
        """
}

/// An ECAR event (`service.completed`, `invoice.created`) for one customer in Tunisia.
func garage(_ type: String, id: String = "g-\(UUID().uuidString.prefix(8))", at occurredAt: String, customer: String = "c-1",
            language: String = "fr") -> String {
    """
    {"id": "\(id)", "type": "\(type)", "occurredAt": "\(occurredAt)",
     "data": {"customer": {"id": "\(customer)", "phone": "20123456", "region": "TN", "firstName": "Amine",
                           "language": "\(language)", "timeZone": "Africa/Tunis"},
              "invoice": {"number": "F-1", "total": 45}, "car": {"make": "Peugeot", "model": "208"}}}
    """
}
