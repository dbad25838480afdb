import GRDB

/// A failure of the storage itself rather than of the request: a full disk, a read-only file system, a database
/// locked by another process, an I/O error. Worded once here, for the API's problem details and the CLI's errors;
/// the transaction it broke was rolled back, so nothing of the request was stored.
public struct StorageFault: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// No room left on the database's disk.
        case full
        /// The database file or its file system cannot be written.
        case readOnly
        /// Another process holds the database's write lock for longer than the busy timeout.
        case busy
        /// Any other input/output failure of the database file.
        case unavailable
    }

    public var kind: Kind
    /// One line for an operator: what failed, and that nothing was stored.
    public var detail: String

    /// The fault behind a database error, or nil when the error is not one of storage.
    public init?(_ error: any Error) {
        if let fault = error as? StorageFault {
            self = fault
            return
        }
        guard let error = error as? DatabaseError else { return nil }
        switch error.resultCode {
        case .SQLITE_FULL:
            kind = .full
            detail = "the database's disk is full; nothing was stored (free some space; Herald goes on by itself)"
        case .SQLITE_READONLY:
            kind = .readOnly
            detail = "the database is read-only; nothing was stored (make its file and folder writable)"
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            kind = .busy
            detail = "the database is locked by another process; nothing was stored (try again)"
        case .SQLITE_IOERR, .SQLITE_CANTOPEN:
            // A file system remounted read-only under a running process fails its writes with EROFS (errno 30).
            if error.extendedResultCode.rawValue != error.resultCode.rawValue, Self.readOnlyFileSystem(error) {
                kind = .readOnly
                detail = "the database's file system is read-only; nothing was stored (make it writable)"
            } else {
                kind = .unavailable
                detail = "the database could not be written (\(error.message ?? "disk I/O error")); nothing was stored"
            }
        default:
            return nil
        }
    }

    static func readOnlyFileSystem(_ error: DatabaseError) -> Bool {
        let text = "\(error.message ?? "") \(error)".lowercased()
        return text.contains("read-only") || text.contains("readonly") || text.contains("errno=30")
    }

    public var description: String { detail }
}
