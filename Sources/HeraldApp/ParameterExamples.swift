import Foundation
import HeraldCore

/// Realistic values for a template's parameters, to prefill a preview: names and numbers of the kind the seed
/// teams send, amounts under the declared maximum, dates the day after `at` in the recipient's time zone.
public enum ParameterExamples {
    static let byName: [String: String] = [
        "firstName": "Amine", "lastName": "Ben Salah", "name": "Amine Ben Salah", "fullName": "Amine Ben Salah",
        "caseNumber": "C-1042", "invoiceNumber": "F-2026-0042", "title": "Imprimante du 3e étage en panne",
        "carMake": "Peugeot", "carModel": "208", "plate": "123 TU 4567", "garage": "ECAR Lac 2",
        "agent": "Selam Tesfaye", "company": "MINTT",
    ]

    /// One value per parameter, as text a render request takes (`at`: epoch ms).
    public static func values(for template: Template, timeZone: String, at: Int64) -> [String: String] {
        var out: [String: String] = [:]
        for parameter in template.parameters { out[parameter.name] = value(for: parameter, timeZone: timeZone, at: at) }
        return out
    }

    public static func value(for parameter: Parameter, timeZone: String, at: Int64) -> String {
        if let given = parameter.defaultValue { return given }
        switch parameter.kind {
        case .string:
            let example = byName[parameter.name] ?? parameter.name.prefix(1).uppercased() + parameter.name.dropFirst()
            return String(example.prefix(parameter.maxLength ?? example.count))
        case .enum:
            return parameter.values?.first ?? ""
        case .integer:
            return String(min(2, Int(parameter.max ?? 2)))
        case .decimal:
            return String(format: "%.1f", min(12.5, parameter.max ?? 12.5))
        case .money:
            return String(format: "%.3f", min(1234.5, parameter.max ?? 1234.5))
        case .datetime:
            // The next day at 09:30 where the recipient is.
            let zone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")!
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            let now = Date(timeIntervalSince1970: Double(at) / 1000)
            let tomorrow = calendar.date(byAdding: .day, value: 1, to: now) ?? now
            let day = calendar.date(bySettingHour: 9, minute: 30, second: 0, of: tomorrow) ?? tomorrow
            let formatter = ISO8601DateFormatter()
            formatter.timeZone = zone
            formatter.formatOptions = [.withInternetDateTime]
            return formatter.string(from: day)
        }
    }
}
