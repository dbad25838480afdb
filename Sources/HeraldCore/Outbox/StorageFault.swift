import Foundation

/// A failure of the storage itself rather than of the request: a full disk, a read-only file system, a database
/// locked by another process, an I/O error. Every `Storage` throws its own failures as this; worded once here, for
/// the API's problem details and the CLI's errors. The transaction it broke was rolled back, so nothing of the
/// request was stored.
public struct StorageFault: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// No room left on the database's disk.
        case full
        /// The database file or its file system cannot be written.
        case readOnly
        /// Another process holds the database's write lock for longer than the busy timeout.
        case busy
        /// Any other input/output failure of the database.
        case unavailable
    }

    public var kind: Kind
    /// One line for an operator: what failed, and that nothing was stored.
    public var detail: String

    public init(_ kind: Kind, fileSystem: Bool = false, message: String? = nil) {
        self.kind = kind
        switch kind {
        case .full: detail = "the database's disk is full; nothing was stored (free some space; Herald goes on by itself)"
        case .readOnly:
            detail = fileSystem
                ? "the database's file system is read-only; nothing was stored (make it writable)"
                : "the database is read-only; nothing was stored (make its file and folder writable)"
        case .busy: detail = "the database is locked by another process; nothing was stored (try again)"
        case .unavailable: detail = "the database could not be written (\(message ?? "disk I/O error")); nothing was stored"
        }
    }

    public var description: String { detail }
}

/// A store that cannot be opened, in the terms an operator fixes: a missing folder, a file that is not a database,
/// a database server that cannot be reached or refuses the user, a schema newer than this build.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(description: String) { self.description = description }
}
