import Foundation

/// A value shared with concurrently running code, behind a lock.
public final class Locked<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T

    public init(_ value: T) { stored = value }

    public var value: T { lock.withLock { stored } }

    @discardableResult
    public func update<R>(_ body: (inout T) throws -> R) rethrows -> R { try lock.withLock { try body(&stored) } }
}
