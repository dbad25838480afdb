import Foundation
import Testing
@testable import HeraldCore

@Suite struct DecisionJSONTests {
    @Test func storedTextEqualsTheTreeForEveryShapeOfDecision() throws {
        var count = 0
        for mask in 0..<(1 << 8) {
            func when(_ bit: Int) -> Bool { mask & (1 << bit) != 0 }
            let decision = Decision(
                template: "invoice.created", audience: "customer", contact: when(0) ? "c-\"1\"\\\n" : "+21620123456",
                action: when(1) ? .defer : .send, reason: when(2) ? .optedOut : nil, detail: "quiet hours until 08:00\t« ok »",
                category: when(3) ? "billing" : nil, dueAt: when(4) ? "2026-11-24T07:00:00Z" : nil,
                expiresAt: when(5) ? "2026-11-25T07:00:00Z" : nil, messageID: when(6) ? Int64(mask * 1_000_003) : nil,
                locale: when(7) ? "fr" : nil, timeZone: when(7) ? "Africa/Tunis" : nil,
                trace: when(1) ? [] : [.init("rule", "pass", "a \u{1} b"), .init("phone", "info", "+216 2• ••• •56")])
            #expect(decision.serialized == decision.jsonValue.serialized)
            let decoded = try JSONDecoder().decode(Decision.self, from: Data(decision.serialized.utf8))
            #expect(decoded == decision)
            count += 1
        }
        #expect(count == 256)
    }

    @Test func storedRuleTracesEqualTheTree() {
        let lists: [[RuleTrace]] = [
            [],
            [RuleTrace(template: "case.assigned", matched: true, notes: ["data.status == \"open\": yes"], candidates: ["a-1", "b\\2"])],
            [RuleTrace(template: "t", matched: false, notes: [], candidates: []), RuleTrace(template: "u\n", matched: true, notes: ["x", "y"], candidates: ["z"])],
        ]
        for list in lists {
            #expect(list.serialized == JSONValue.array(list.map(\.jsonValue)).serialized)
        }
    }
}
