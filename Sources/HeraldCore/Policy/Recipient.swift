/// One person named directly (a campaign row, an item of a campaign request): the person, or why the row is
/// unusable, and the parameters it gives.
public struct RecipientRow: Sendable {
    /// The file line, or the item's position in a list (1-based).
    public var line: Int
    public var person: Result<JSONValue, RowProblem>
    public var params: [String: String]

    public init(line: Int, person: Result<JSONValue, RowProblem>, params: [String: String]) {
        self.line = line
        self.person = person
        self.params = params
    }

    /// The keys that describe the person; every other key is a template parameter (`name` is both).
    public static let personKeys: Set<String> = ["contact", "id", "phone", "name", "language", "timeZone", "time_zone", "region"]

    /// Splits a row's values into the person and the parameters; a row without an id is keyed by its phone in
    /// E.164 (read with `region` when it has no country code).
    public init(line: Int, values: [String: String], region: String) {
        self.line = line
        var person: [String: JSONValue] = [:]
        var params: [String: String] = [:]
        for (k, v) in values {
            switch k {
            case "contact", "id": person["id"] = .string(v)
            case "time_zone": person["timeZone"] = .string(v)
            case "phone", "name", "language", "timeZone", "region": person[k] = .string(v)
            default: break
            }
            if !Self.personKeys.contains(k) || k == "name" { params[k] = v }
            if !Self.personKeys.contains(k) { person[k] = .string(v) }
        }
        self.params = params
        if person["id"] == nil {
            guard let phone = values["phone"] else {
                self.person = .failure(RowProblem("contact: missing (and no phone to key the row by)"))
                return
            }
            do {
                person["id"] = .string(try PhoneNumber.parse(phone, region: values["region"]?.uppercased() ?? region).e164)
            } catch {
                self.person = .failure(RowProblem("phone: \(error.description)"))
                return
            }
        }
        let wrapped = JSONValue.object(person)
        do { try EventSchema.checkPerson(wrapped, path: "recipient") } catch {
            self.person = .failure(RowProblem(error.description.replacingOccurrences(of: "recipient.", with: "")))
            return
        }
        self.person = .success(wrapped)
    }

    /// A recipient given as JSON (a line of a .jsonl file, an item of `POST /v1/campaigns`).
    public init(line: Int, json: JSONValue, region: String) {
        guard case .object(let object) = json else {
            self.init(line: line, person: .failure(RowProblem("expected an object, got \(json.kindName)")), params: [:])
            return
        }
        switch Self.values(object) {
        case .failure(let problem): self.init(line: line, person: .failure(problem), params: [:])
        case .success(let values): self.init(line: line, values: values, region: region)
        }
    }

    /// The values of a JSON recipient: its keys, and the parameters nested under `params`.
    public static func values(_ object: [String: JSONValue]) -> Result<[String: String], RowProblem> {
        var values: [String: String] = [:]
        for (k, v) in object {
            if k == "params" {
                guard case .object(let nested) = v else { return .failure(RowProblem("params: expected an object")) }
                for (pk, pv) in nested {
                    guard let text = pv.text else { return .failure(RowProblem("params.\(pk): expected a value, got \(pv.kindName)")) }
                    values[pk] = text
                }
            } else if case .null = v {
                continue
            } else {
                guard let text = v.text else { return .failure(RowProblem("\(k): expected a value, got \(v.kindName)")) }
                values[k] = text
            }
        }
        return .success(values)
    }
}

/// Why a recipient row cannot be used.
public struct RowProblem: Error, Sendable {
    public var text: String
    /// The field at fault, when one.
    public var field: String?
    public init(_ text: String, field: String? = nil) {
        self.text = text
        self.field = field
    }
}
