import ArgumentParser
import Crypto
import Foundation
import HeraldCore
import HeraldICU
import HeraldStore
import Synchronization

/// A campaign to a million generated recipients, through `herald campaign`'s own path, timed with its peak memory.
struct BenchCampaign: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "campaign",
        abstract: "Run invoice.created to N generated recipients (default 1,000,000) into a fresh database; print wall time and peak RSS.",
        discussion: """
            The recipients are generated from a seed: fr, en and am; Africa/Tunis, Europe/Paris, America/New_York
            and Africa/Addis_Ababa (10 % of rows, where it is 22:30 at the campaign's time: their quiet hours, so
            their messages wait for the morning); 5 % are stored beforehand as opted out. The CSV is written to a
            temporary folder first (not timed), then `herald campaign` runs in this process. Peak RSS is the
            process's (getrusage). The database and the CSV are deleted afterwards unless --keep.
            """)

    @Option(help: "Recipients.")
    var recipients: Int = 1_000_000

    @OptionGroup var scratch: BenchScratch

    @Flag(help: "Print the figures as one JSON object.")
    var json = false

    @OptionGroup var catalogOptions: CatalogOptions

    func run() async throws {
        Bench.warnIfDebug()
        let folder = try scratch.folder("campaign")
        defer { scratch.clean(folder) }
        let csv = folder + "/recipients.csv", db = folder + "/campaign.sqlite"

        // The recipients, written as a CSV a backend would export; opted-out people stored beforehand.
        var g = SplitMix(seed: 1_000_000)
        _ = FileManager.default.createFile(atPath: csv, contents: nil)
        guard let out = FileHandle(forWritingAtPath: csv) else { throw Self.fail("cannot write \(csv)") }
        var buffer = Data("id,phone,language,timeZone,firstName,invoiceNumber,total\n".utf8)
        var optedOut: [(String, String)] = []
        let names = ["Amine", "Sélim", "Nour", "Abebe", "Marie", "John", "Hana", "Yonas"]
        for n in 0..<recipients {
            let roll = g.below(100)
            let zone = roll < 10 ? "Africa/Addis_Ababa" : ["Africa/Tunis", "Africa/Tunis", "Europe/Paris", "America/New_York"][g.below(4)]
            let language = ["fr", "en", "am"][g.below(3)]
            let phone = zone == "Africa/Addis_Ababa" ? "+2519\(10_000_000 + g.below(89_999_999))" : "+2162\(1_000_000 + g.below(8_999_999))"
            let id = "c-\(n)"
            if g.below(100) < 5 { optedOut.append((id, phone)) }
            buffer.append(contentsOf: "\(id),\(phone),\(language),\(zone),\(g.pick(names)),F-2026-\(n),\(g.below(100_000)).\(g.below(1000))\n".utf8)
            if buffer.count > 1 << 20 {
                out.write(buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        out.write(buffer)
        try out.close()
        let store = try SQLiteStore(path: db, bulk: true)
        // Through the one preference path, as an import of opt-outs would go.
        try await store.updateContacts(
            optedOut.map { person in
                (id: person.0, change: { (c: inout Contact) in
                    c.phone = person.1
                    c.optedOutAll = true
                })
            }, now: 0, policy: try PolicyOptions.config(), source: "herald bench campaign")
        optedOut = []

        var arguments = [
            "invoice.created", "--recipients", csv, "--param", "carMake=Peugeot", "--param", "carModel=208",
            "--db", db, "--now", "2026-11-23T19:30:00Z", "--id", "bench",
        ]
        if let templates = catalogOptions.templates { arguments += ["--templates", templates] }
        if let locales = catalogOptions.locales { arguments += ["--locales", locales] }
        if let events = catalogOptions.events { arguments += ["--events", events] }
        let campaign = try Campaign.parse(arguments)
        let start = DispatchTime.now().uptimeNanoseconds
        try await campaign.run()
        let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        let peakMB = Double(usage.ru_maxrss) / 1024
        let counts = try await store.messageCounts().map { ($0.key, $0.value) }
        let decided = try await store.campaignCounts("bench")
        let decisions = [("send ", decided.queued), ("defer ", decided.deferred)].filter { $0.1 > 0 }
            + decided.suppressed.map { ("suppress \($0.key)", $0.value) }
        if json {
            let object: [String: Any] = [
                "bench": "campaign", "build": Bench.build, "cores": ProcessInfo.processInfo.activeProcessorCount,
                "recipients": recipients, "wall_s": wall, "rows_per_s": Double(recipients) / wall, "peak_rss_mb": peakMB,
                "messages": Dictionary(uniqueKeysWithValues: counts), "decisions": Dictionary(uniqueKeysWithValues: decisions),
            ]
            try Bench.printJSON(object)
            return
        }
        print("bench: campaign (invoice.created to generated recipients; herald campaign's own path; WAL, synchronous=FULL)")
        print("build: \(Bench.build)")
        print("cores: \(ProcessInfo.processInfo.activeProcessorCount)")
        print("recipients: \(recipients) (5 % opted out beforehand, 10 % in their quiet hours)")
        print(String(format: "wall_s: %.1f (target <= 60 for 1,000,000)", wall))
        print(String(format: "rows_per_s: %.0f", Double(recipients) / wall))
        print(String(format: "peak_rss_mb: %.0f (target <= 300)", peakMB))
        print("messages: " + counts.map { "\($0.0) \($0.1)" }.joined(separator: ", "))
        print("decisions: " + decisions.map { "\($0.0.trimmingCharacters(in: .whitespaces)) \($0.1)" }.joined(separator: ", "))
    }
}

/// Where a bench that writes files works: a folder of its own, deleted afterwards unless --keep.
struct BenchScratch: ParsableArguments {
    @Option(help: "Folder to work in (default: the system's temporary folder).")
    var directory: String?

    @Flag(help: "Keep the files the bench wrote (database, CSV).")
    var keep = false

    func folder(_ bench: String) throws -> String {
        let folder = (directory ?? FileManager.default.temporaryDirectory.path) + "/herald-bench-\(bench)-\(getpid())"
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw Herald.fail("cannot create \(folder): \(error.localizedDescription)")
        }
        return folder
    }

    func clean(_ folder: String) {
        if !keep { try? FileManager.default.removeItem(atPath: folder) }
    }
}
