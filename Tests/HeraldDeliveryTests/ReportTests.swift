import Foundation
import HeraldCore
import HeraldDelivery
import HeraldStore
import HeraldTestSupport
import Testing

/// Delivery reports follow one state machine: they move a message only once it was handed to a provider, and only
/// to a final status; any other report is kept and changes nothing.
@Suite struct ReportTests {
    let policy = PolicyConfig()

    @Test(arguments: StoreKind.available) func aReportNeverStopsAMessageFromBeingSent(_ kind: StoreKind) async throws {
        let outbox = try await Outbox(kind)
        let now = ms("2026-11-23T10:00:00Z")
        let id = try #require(try await outbox.add(1, now: now).first)
        // A report for a message still queued: kept, ignored, and the message is sent as if it never came.
        let early = try await outbox.store.apply(DeliveryReport(reference: "\(id)", status: .delivered), now: now)
        #expect(early.ignored?.contains("not handed to a provider yet") == true, "\(early)")
        #expect(try await outbox.status(id) == "queued")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sms-\(UUID().uuidString).jsonl").path
        let sender = try LogSender(path: path)
        let worker = Worker(store: outbox.store, sender: sender, config: WorkerConfig(), policy: policy)
        #expect(try await worker.pass(now: now).sent == 1)
        await sender.shutdown()
        // Now handed over: the report applies; a later, contradicting one does not.
        let delivered = try await outbox.store.apply(DeliveryReport(reference: "\(id)", status: .delivered), now: now + 1_000)
        #expect(delivered.ignored == nil && delivered.status == .delivered)
        let late = try await outbox.store.apply(DeliveryReport(reference: "\(id)", status: .failed), now: now + 2_000)
        #expect(late.ignored?.contains("already delivered") == true)
        #expect(try await outbox.status(id) == "delivered")
        // Every report matched to it is kept, in order, the ignored ones too: what its story shows.
        let kept = try await outbox.store.reports(message: id)
        #expect(kept.map(\.status) == ["delivered", "delivered", "failed"])
        #expect(kept.map(\.receivedAt) == [Instant(ms: now), Instant(ms: now + 1_000), Instant(ms: now + 2_000)])
    }

    @Test(arguments: StoreKind.available) func aCancelledMessageStaysCancelled(_ kind: StoreKind) async throws {
        let outbox = try await Outbox(kind)
        let now = ms("2026-11-23T10:00:00Z")
        let id = try #require(try await outbox.add(1, now: now).first)
        try await outbox.store.updateContact(id: "c-0", now: now, policy: policy, source: "test") { $0.optedOutAll = true }
        #expect(try await outbox.status(id) == "cancelled")
        let report = try await outbox.store.apply(DeliveryReport(reference: "\(id)", status: .delivered), now: now)
        #expect(report.ignored == "it was cancelled before it was sent")
        #expect(try await outbox.status(id) == "cancelled")
    }

    /// An accepted answer is accepted, however large; a refusal's body is kept short, without numbers or the text.
    @Test(arguments: StoreKind.available) func providerAnswersAreReadAsFarAsNeededAndMasked(_ kind: StoreKind) async throws {
        let big = String(repeating: "x", count: 2 << 20)
        let provider = try await ScriptedProvider { key, _ in
            key.hasSuffix("-1") ? .status(200, #"{"id": "p-1", "pad": "\#(big)"}"#)
                : .status(400, #"{"error": "invalid destination +251911230001", "text": "Private note for Amine"}"#)
        }
        defer { provider.stop() }
        let outbox = try await Outbox(kind)
        let now = ms("2026-11-23T10:00:00Z")
        let ids = try await outbox.add(2, now: now, text: "Private note for Amine")
        let sender = HTTPSender(config: HTTPSenderConfig(url: provider.url, method: .post, idPath: "id"), connections: 2)
        let worker = Worker(store: outbox.store, sender: sender, config: WorkerConfig(), policy: policy)
        let summary = try await worker.pass(now: now)
        await sender.shutdown()
        #expect(summary.sent == 1 && summary.failed == 1, "\(summary)")
        #expect(try await outbox.status(ids[0]) == "sent")
        #expect(provider.requests.filter { $0.key.hasSuffix("-\(ids[0])") }.count == 1)
        let refused = try #require(try await outbox.store.message(id: ids[1]))
        #expect(refused.status == .failed)
        let error = refused.lastError ?? ""
        #expect(error.contains("HTTP 400") && !error.contains("911230001") && !error.contains("Private note"), "\(error)")
        #expect(error.contains("(the message)"))
    }
}
