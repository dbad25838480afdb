extension Catalog {
    /// Checks each template's rule against its event type: the audience, `skipSelf`, conditions, schedule and
    /// every parameter's source must be fields the event declares, of a type the parameter can take.
    func checkRules() -> [Diagnostic] {
        guard !events.isEmpty else { return [] }
        var out: [Diagnostic] = []
        for template in sortedTemplates {
            func error(_ field: String, _ message: String) {
                out.append(Diagnostic(.error, file: template.file, line: template.line(of: field), field: field, message))
            }
            guard let schema = events[template.event] else {
                let hint = Catalog.closest(template.event, in: Array(events.keys)).map { " (did you mean '\($0)'?)" } ?? ""
                error("event", "no event type '\(template.event)' in Events/\(hint)")
                continue
            }
            let declared = schema.fields.map(\.path).joined(separator: ", ")
            func unknown(_ path: String) -> String {
                let hint = Catalog.closest(path, in: schema.fields.map(\.path)).map { " (did you mean '\($0)'?)" } ?? ""
                return "'\(path)' is not a field of \(schema.type)\(hint); it declares: \(declared)"
            }
            func requirePerson(_ field: String, _ path: String) {
                switch schema.type(of: path) {
                case nil: error(field, unknown(path))
                case .person?, .people?: break
                case let other?: error(field, "'\(path)' is \(other.rawValue), not a person")
                }
            }
            for path in template.audience { requirePerson("audience", path) }
            if let path = template.skipSelf { requirePerson("skipSelf", path) }
            /// The paths a path stands for: itself, or with `recipient` read as each audience.
            func expand(_ path: String) -> [String] {
                DataPath.recipientField(path) == nil ? [path] : template.audience.map { DataPath.resolve(path, audience: $0) }
            }
            /// The type of a path, the same in every audience for `recipient.`; nil when any does not declare it.
            func resolve(_ path: String) -> EventSchema.FieldType? {
                let types = expand(path).map { schema.type(of: $0) }
                guard let first = types.first, let type = first, types.allSatisfy({ $0 == type }) else { return nil }
                return type
            }
            for condition in template.conditions where resolve(condition.path) == nil {
                error("when", "\(condition.source): " + (condition.isPerRecipient
                    ? "'\(condition.path)' is not declared for every audience (\(template.audience.joined(separator: ", ")))"
                    : unknown(condition.path)))
            }
            if let schedule = template.schedule {
                switch schema.type(of: schedule.of) {
                case nil: error("schedule.of", unknown(schedule.of))
                case .datetime?: break
                case let other?: error("schedule.of", "'\(schedule.of)' is \(other.rawValue), not a datetime")
                }
            }
            for parameter in template.parameters {
                let source = parameter.source ?? parameter.name
                let field = "params.\(parameter.name).from"
                guard let type = resolve(source) else {
                    error(field, DataPath.recipientField(source) != nil
                        ? "'\(source)' is not declared for every audience (\(expand(source).joined(separator: ", ")))"
                        : (parameter.source == nil ? "no 'from': " : "") + unknown(source))
                    continue
                }
                let accepted: [EventSchema.FieldType] =
                    switch parameter.kind {
                    case .string: [.string, .integer, .number, .boolean, .datetime]
                    case .enum: [.string]
                    case .integer: [.integer]
                    case .decimal, .money: [.integer, .number]
                    case .datetime: [.datetime]
                    }
                if !accepted.contains(type) {
                    error(field, "'\(source)' is \(type.rawValue); a \(parameter.kind.rawValue) parameter cannot take it")
                }
                let guarded = template.conditions.contains { $0.path == source && $0.test == .exists }
                if expand(source).contains(where: schema.isOptional), parameter.defaultValue == nil, !guarded {
                    error(field, "'\(source)' is optional in \(schema.type), and '\(parameter.name)' has no default: give it one, or add `when: [\(source) exists]`")
                }
            }
        }
        return out
    }
}
