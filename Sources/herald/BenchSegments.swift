import ArgumentParser
import Crypto
import Foundation
import HeraldCore
import HeraldICU
import HeraldStore
import Synchronization

/// Encoding and segment counting over a corpus of realistic messages.
struct BenchSegments: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segments",
        abstract: "Count encodings and segments over a generated corpus (ASCII, French, Amharic, emoji; 20–600 characters).",
        discussion: """
            Prints ns per message over the whole corpus and per kind, MB/s, and ns for one 160-character GSM-7
            message (the target is ≤ 50 ns). The corpus is generated from a seed, so runs compare.
            """)

    @Option(help: "Messages in the corpus.")
    var messages: Int = 100_000

    @Option(help: "Passes over the corpus (the best is reported).")
    var passes: Int = 5

    @Flag(help: "Print the figures as one JSON object.")
    var json = false

    func run() throws {
        Bench.warnIfDebug()
        var generator = SplitMix(seed: 20_261_124)
        let corpus = (0..<max(1, messages)).map { _ in SegmentCorpus.message(&generator) }
        let bytes = corpus.reduce(0) { $0 + $1.text.utf8.count }

        // The whole corpus, as the planner counts every message it stores.
        var best = Double.infinity
        var check = 0
        for _ in 0..<max(1, passes) {
            let start = DispatchTime.now().uptimeNanoseconds
            for message in corpus { check &+= SMS.count(message.text).units }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start))
        }
        var kinds: [(String, Double, Int)] = []
        for kind in SegmentCorpus.Kind.allCases {
            let texts = corpus.filter { $0.kind == kind }.map(\.text)
            guard !texts.isEmpty else { continue }
            var kindBest = Double.infinity
            for _ in 0..<max(1, passes) {
                let start = DispatchTime.now().uptimeNanoseconds
                for text in texts { check &+= SMS.count(text).segments }
                kindBest = min(kindBest, Double(DispatchTime.now().uptimeNanoseconds - start))
            }
            kinds.append((kind.rawValue, kindBest / Double(texts.count), texts.count))
        }
        // One 160-character GSM-7 message, counted over and over.
        let sms160 = String(SegmentCorpus.englishWords.joined(separator: " ").prefix(160))
        precondition(sms160.count == 160 && SMS.count(sms160).encoding == .gsm7)
        let repeats = 2_000_000
        var best160 = Double.infinity
        for _ in 0..<max(1, passes) {
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<repeats { check &+= SMS.count(sms160).units }
            best160 = min(best160, Double(DispatchTime.now().uptimeNanoseconds - start))
        }
        let nsPerMessage = best / Double(corpus.count)
        let mbPerSecond = Double(bytes) / (best / 1e9) / 1e6
        let ns160 = best160 / Double(repeats)
        if json {
            var object: [String: Any] = [
                "bench": "segments", "build": Bench.build, "cores": ProcessInfo.processInfo.activeProcessorCount,
                "messages": corpus.count, "bytes": bytes, "ns_per_msg": nsPerMessage, "mb_per_s": mbPerSecond,
                "ns_per_160_gsm7": ns160, "check": check,
            ]
            for (kind, ns, _) in kinds { object["ns_per_msg_\(kind)"] = ns }
            try Bench.printJSON(object)
            return
        }
        print("bench: segments (SMS.count: encoding, units, segments)")
        print("build: \(Bench.build)")
        print("cores: \(ProcessInfo.processInfo.activeProcessorCount)")
        print("messages: \(corpus.count) (\(bytes) bytes of UTF-8), best of \(max(1, passes)) passes")
        print(String(format: "ns_per_msg: %.1f", nsPerMessage))
        print(String(format: "mb_per_s: %.0f", mbPerSecond))
        for (kind, ns, count) in kinds { print(String(format: "ns_per_msg[%@]: %.1f (%d messages)", kind, ns, count)) }
        print(String(format: "ns_per_160_char_gsm7: %.1f (target <= 50)", ns160))
        print("check: \(check)")
    }
}

/// A deterministic pseudo-random sequence (SplitMix64), so generated corpora and recipients repeat exactly.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func pick<T>(_ list: [T]) -> T { list[below(list.count)] }
}

/// Messages of the kinds Herald sends: plain ASCII, French with accents and typographic spaces, Amharic, and
/// text with emoji; 20 to 600 characters.
enum SegmentCorpus {
    enum Kind: String, CaseIterable { case ascii, french, amharic, emoji }

    static let englishWords = "Hello Amine, your car service is complete. Your invoice F-2026-0042 of DT 1,234.500 is ready. Reply STOP to opt out. Your appointment is on Monday 23 November at 09:30. Thank you for your trust.".split(separator: " ").map(String.init)
    static let frenchWords = "Bonjour Sélim, votre véhicule est prêt. La facture F-2026-0042 de 1\u{202F}234,500\u{00A0}DT a été émise. Rendez-vous lundi 23 novembre à 09:30. Répondez ARRÊT pour ne plus recevoir de messages. Merci de votre confiance, à bientôt !".split(separator: " ").map(String.init)
    static let amharicWords = "ሰላም አበበ፣ የመኪናዎ አገልግሎት ተጠናቋል። የ DT 1,234.500 ደረሰኝ ተዘጋጅቷል። ቀጠሮዎ ሰኞ 09:30 ላይ ነው። ስለ እምነትዎ እናመሰግናለን።".split(separator: " ").map(String.init)
    static let emoji = ["🚗", "✅", "📅", "🔧", "👍", "🎉"]

    static func message(_ g: inout SplitMix) -> (kind: Kind, text: String) {
        let kind = Kind.allCases[g.below(Kind.allCases.count)]
        let length = 20 + g.below(581)
        var text = ""
        let words = kind == .french ? frenchWords : kind == .amharic ? amharicWords : englishWords
        while text.count < length {
            if !text.isEmpty { text += " " }
            text += kind == .emoji && g.below(5) == 0 ? g.pick(emoji) : g.pick(words)
        }
        return (kind, String(text.prefix(length)))
    }
}
