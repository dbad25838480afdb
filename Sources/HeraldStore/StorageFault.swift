import GRDB
import HeraldCore

extension StorageFault {
    /// The fault behind a SQLite error, or nil when the error is not one of storage.
    init?(sqlite error: any Error) {
        if let fault = error as? StorageFault {
            self = fault
            return
        }
        guard let error = error as? DatabaseError else { return nil }
        switch error.resultCode {
        case .SQLITE_FULL: self.init(.full)
        case .SQLITE_READONLY: self.init(.readOnly)
        case .SQLITE_BUSY, .SQLITE_LOCKED: self.init(.busy)
        case .SQLITE_IOERR, .SQLITE_CANTOPEN:
            // A file system remounted read-only under a running process fails its writes with EROFS (errno 30).
            if error.extendedResultCode.rawValue != error.resultCode.rawValue, Self.readOnlyFileSystem(error) {
                self.init(.readOnly, fileSystem: true)
            } else {
                self.init(.unavailable, message: error.message)
            }
        default:
            return nil
        }
    }

    static func readOnlyFileSystem(_ error: DatabaseError) -> Bool {
        let text = "\(error.message ?? "") \(error)".lowercased()
        return text.contains("read-only") || text.contains("readonly") || text.contains("errno=30")
    }
}

extension SQLiteStore {
    /// GRDB's async read (readers run side by side), its storage failures thrown as `StorageFault`.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do { return try await writer.read(body) } catch { throw StorageFault(sqlite: error) ?? error }
    }

    /// A read that renders messages (planning people named directly), on the planning lane's thread.
    func planningRead<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let writer = writer
        do { return try await lanes.planning.run { try writer.read(body) } } catch { throw StorageFault(sqlite: error) ?? error }
    }

    /// One transaction, on the writing lane's thread: the caller awaits it without blocking its own thread. Its
    /// storage failures are thrown as `StorageFault`.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let writer = writer
        do { return try await lanes.writing.run { try writer.write(body) } } catch { throw StorageFault(sqlite: error) ?? error }
    }
}
