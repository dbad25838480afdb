import Foundation
import HeraldTestSupport
import Testing

/// `--db postgres://…`: a database that cannot be used stops the command at once, with one line an operator can
/// act on, and changes nothing.
@Suite struct DatabaseURLTests {
    func herald(_ db: String) async throws -> CLI.Result {
        try await CLI.run(["messages", "--db", db])
    }

    @Test func anUnreachableServerIsNamed() async throws {
        let r = try await herald("postgres://herald@127.0.0.1:1/herald")
        #expect(r.status == 1)
        #expect(r.stderr.contains("cannot reach PostgreSQL at 127.0.0.1:1 (connection refused)"), "\(r.stderr)")
    }

    @Test func aBadSettingInTheURLIsNamed() async throws {
        let pool = try await herald("postgres://herald@127.0.0.1:1/herald?pool=0")
        #expect(pool.status == 1 && pool.stderr.contains("pool must be a number of connections from 1 to 200 (got 0)"))
        let unknown = try await herald("postgres://herald:secret@127.0.0.1:1/herald?color=blue")
        #expect(unknown.status == 1 && unknown.stderr.contains("unknown setting color in the database URL"))
        #expect(!unknown.stderr.contains("secret"), "the password is never printed")
    }

    @Test(.enabled(if: TestPostgres.url != nil, "needs PostgreSQL (scripts/with-postgres)"))
    func aWrongPasswordOrAMissingDatabaseIsNamed() async throws {
        let wrong = try await herald(try #require(TestPostgres.url(password: "not-the-password")))
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("refused user postgres: password authentication failed"), "\(wrong.stderr)")
        #expect(!wrong.stderr.contains("not-the-password"))
        let missing = try await herald(try #require(TestPostgres.url(database: "no_such_database")))
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("the database no_such_database does not exist"), "\(missing.stderr)")
    }

    @Test(.enabled(if: TestPostgres.url != nil, "needs PostgreSQL (scripts/with-postgres)"))
    func aDatabaseOfANewerHeraldIsRefused() async throws {
        let db = try await TestPostgres.freshDatabase()
        let first = try await herald(db)
        #expect(first.status == 0 && first.stdout.contains("no messages"), "\(first.stderr)")
        try await TestPostgres.execute("INSERT INTO herald_schema (version, name) VALUES (99, 'from the future')", on: db)
        let refused = try await herald(db)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("has schema version 99, newer than this herald knows (1 to 1)"), "\(refused.stderr)")
        // Refusing changed nothing: asked again, the same answer.
        #expect(try await herald(db).stderr == refused.stderr)
    }
}
