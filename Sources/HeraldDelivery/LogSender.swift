import Foundation
import HeraldCore
import Synchronization

/// The sender of a machine with no provider: each SMS, fully rendered with its encoding and segments, becomes one
/// JSON line in a file (or on standard output). Always accepts; the provider id is `log-<message id>`.
public final class LogSender: Sender {
    public let name = "log"
    /// The file's path, or `-` for standard output.
    public let path: String
    private let handle: Mutex<FileHandle?>

    /// Opens (creating, appending) the file.
    public init(path: String) throws {
        self.path = path
        if path == "-" {
            handle = Mutex(FileHandle.standardOutput)
        } else {
            if !FileManager.default.fileExists(atPath: path) {
                guard FileManager.default.createFile(atPath: path, contents: nil) else {
                    throw DeliveryError("cannot create the SMS log \(path)")
                }
            }
            guard let file = FileHandle(forWritingAtPath: path) else { throw DeliveryError("cannot write the SMS log \(path)") }
            file.seekToEndOfFile()
            handle = Mutex(file)
        }
    }

    public func send(_ sms: OutgoingSMS) async -> SendResult {
        let line = JSONValue.object([
            "id": .number(Double(sms.messageID)),
            "to": .string(sms.to),
            "text": .string(sms.text),
            "encoding": .string(sms.encoding),
            "segments": .number(Double(sms.segments)),
            "idempotencyKey": .string(sms.idempotencyKey),
        ]).serialized + "\n"
        let written: Bool = handle.withLock { file in
            guard let file else { return false }
            do { try file.write(contentsOf: Data(line.utf8)) } catch { return false }
            return true
        }
        guard written else { return .transient(error: "cannot write the SMS log \(path)", httpStatus: nil, retryAfter: nil) }
        return .accepted(providerID: "log-\(sms.messageID)", httpStatus: nil, note: nil)
    }

    public func shutdown() async {
        handle.withLock { file in
            if path != "-" { try? file?.close() }
            file = nil
        }
    }
}

/// A delivery failure a user can act on (configuration, files).
public struct DeliveryError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
